import { ensureTrainableConv2d, initBackend, type BackendInfo, type BackendPreference } from '#shared/model/backend.js';
import type { Logger } from '#shared/util/logger.js';

/**
 * Backend for training: wasm unless told otherwise (reproducible across machines,
 * unlike tfjs-node's native kernels), with a Conv2D gradient registered when the
 * backend has no Conv2DBackpropFilter kernel of its own (shared/src/model/conv2d-gradient.ts).
 */
export async function initTrainingBackend(logger: Logger, preference: BackendPreference = 'wasm'): Promise<BackendInfo> {
  const info = await initBackend(logger, preference);
  ensureTrainableConv2d();
  return info;
}
