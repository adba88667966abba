import { initBackend, type BackendInfo, type BackendPreference } from '../model/backend.js';
import { tf } from '../model/tf.js';
import type { Logger } from '../util/logger.js';
import { fastConv2dGradientRegistered, registerFastConv2dGradient } from './conv2d-gradient.js';

/**
 * Backend for training: wasm unless told otherwise (reproducible across machines,
 * unlike tfjs-node's native kernels), plus the fast Conv2D gradient when the
 * backend has no Conv2DBackpropFilter kernel of its own.
 */
export async function initTrainingBackend(logger: Logger, preference: BackendPreference = 'wasm'): Promise<BackendInfo> {
  const info = await initBackend(logger, preference);
  ensureTrainableConv2d();
  return info;
}

/** Registers the fast Conv2D gradient if the active backend needs it. Safe to call repeatedly. */
export function ensureTrainableConv2d(): void {
  const kernels = new Set(tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName));
  if (kernels.has('Conv2DBackpropFilter')) return;
  if (!fastConv2dGradientRegistered()) registerFastConv2dGradient();
}
