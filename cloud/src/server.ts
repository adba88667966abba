import type { CloudConfig } from '#shared/config/cloud-config.js';
import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import { createCloud, type Cloud, type CloudOptions, type CloudRole } from './app.js';

export interface RunningCloud {
  cloud: Cloud;
  /** `http://host:port` the API listens on (serve only). */
  address: string | undefined;
  /** Stops everything once (idempotent). */
  shutdown(reason: string): Promise<void>;
}

/**
 * Starts the service for one role: `serve` listens on HOST:PORT, `worker` runs
 * queued jobs. SIGTERM/SIGINT stop it gracefully (network first, database last);
 * a second signal exits at once.
 */
export async function runCloud(config: CloudConfig, logger: Logger, role: Exclude<CloudRole, 'cli'>, options: Partial<CloudOptions> = {}): Promise<RunningCloud> {
  const cloud = await createCloud({ config, logger, role, ...options });
  await cloud.start();
  let address: string | undefined;
  if (role === 'serve') {
    address = await cloud.app.listen({ port: config.port, host: config.host });
    logger.info({ address }, `listening on ${address} (dashboard at /, API description at /docs)`);
  }
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      try {
        await cloud.stop();
      } catch (err) {
        logger.error({ err: describeError(err) }, 'error while shutting down');
      }
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shutdown(signal).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { cloud, address, shutdown };
}
