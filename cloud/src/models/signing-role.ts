import type { KeyObject } from 'node:crypto';
import type { CloudConfig } from '#shared/config/cloud-config.js';
import { ConfigError } from '#shared/errors.js';
import { parsePrivateKey } from '#shared/manifest/keys.js';

/** Who signs releases for this process: itself, the worker (API with JOB_RUNNER=worker), or nobody. */
export type Signer = 'this process' | 'worker' | 'none';

export interface SigningSetup {
  key: KeyObject | undefined;
  signer: Signer;
}

/**
 * MODEL_SIGNING_KEY is the key every station trusts. The internet-facing API
 * must not hold it when a worker runs the jobs (JOB_RUNNER=worker): there the
 * API queues retrains and the worker signs and publishes, so a compromised API
 * cannot sign a model. An API started with the key in that mode is a
 * configuration error (the key is already in its environment, ignoring it
 * would not take it out). A single process (JOB_RUNNER=inline, the CLI) is
 * API and worker in one and holds the key.
 */
export function signingSetup(config: Pick<CloudConfig, 'modelSigningKey' | 'jobRunner'>, role: 'serve' | 'worker' | 'cli'): SigningSetup {
  const apiOnly = role === 'serve' && config.jobRunner === 'worker';
  if (apiOnly) {
    if (config.modelSigningKey) {
      throw new ConfigError('environment', ['MODEL_SIGNING_KEY: must not be set on the API when JOB_RUNNER=worker; only the worker signs releases (remove it from this service, keep it on the worker)']);
    }
    return { key: undefined, signer: 'worker' };
  }
  const key = config.modelSigningKey ? parsePrivateKey(config.modelSigningKey) : undefined;
  return { key, signer: key ? 'this process' : 'none' };
}
