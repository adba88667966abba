import type { Logger } from '../util/logger.js';
import { fastConv2dGradientRegistered, registerFastConv2dGradient } from './conv2d-gradient.js';
import { tf } from './tf.js';

/** Which TensorFlow.js backend to run: `auto` prefers tfjs-node, then wasm. */
export type BackendPreference = 'auto' | 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** tfjs backend name actually running: `tensorflow`, `wasm` or `cpu`. */
  name: string;
  simd: boolean;
}

/**
 * Selects and initialises the backend once per process. tfjs-node is an optional
 * dependency: when it is not installed (or fails to load its native library) we
 * fall back to wasm with one log line, never an error.
 */
export async function initBackend(logger: Logger, preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  const wanted = (process.env.ECOSIGHT_TF_BACKEND as BackendPreference | undefined) ?? preference;
  if (wanted === 'auto' || wanted === 'node') {
    const loaded = await tryTfjsNode(logger);
    if (loaded) return report(logger, { name: tf.getBackend(), simd: false });
    if (wanted === 'node') throw new Error('tfjs-node was requested but could not be loaded');
  }
  if (wanted !== 'cpu' && (await tryWasm(logger))) {
    return report(logger, { name: 'wasm', simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') });
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return report(logger, { name: 'cpu', simd: false });
}

async function tryTfjsNode(logger: Logger): Promise<boolean> {
  try {
    const name = '@tensorflow/tfjs-node';
    await import(name);
    await tf.setBackend('tensorflow');
    await tf.ready();
    return tf.getBackend() === 'tensorflow';
  } catch (err) {
    logger.debug({ err: (err as Error).message }, 'tfjs-node not available');
    return false;
  }
}

async function tryWasm(logger: Logger): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    if (!ok || tf.getBackend() !== 'wasm') return false;
    ensureTrainableConv2d();
    return true;
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'wasm backend failed to initialise; using cpu');
    return false;
  }
}

/** Registers the im2col Conv2D gradient if the active backend has no Conv2DBackpropFilter kernel. Safe to call repeatedly. */
export function ensureTrainableConv2d(): void {
  const kernels = new Set(tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName));
  if (kernels.has('Conv2DBackpropFilter')) return;
  if (!fastConv2dGradientRegistered()) registerFastConv2dGradient();
}

function report(logger: Logger, info: BackendInfo): BackendInfo {
  logger.info({ backend: info.name, simd: info.simd }, `TensorFlow.js backend: ${info.name}${info.simd ? ' (SIMD)' : ''}`);
  return info;
}
