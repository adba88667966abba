import { parseArgs } from 'node:util';
import { loadStationConfig } from '#shared/config/station-config.js';
import { describeError } from '#shared/errors.js';
import { inBackground, keepRunningOnUnexpectedRejection } from '#shared/util/background.js';
import { createLogger } from '#shared/util/logger.js';
import { systemClock } from '../core/clock.js';
import { composeStation } from '../main.js';
import { EXIT_FAILURE } from '../system/lifecycle.js';

/** `ecosight-station run`: parse flags, load config, compose, run until stopped. */
export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      'exit-when-idle': { type: 'boolean', default: false },
      'idle-timeout': { type: 'string', default: '120' },
    },
  });
  const idleTimeoutSec = Number(values['idle-timeout']);
  if (!(idleTimeoutSec > 0)) throw new Error('--idle-timeout must be a positive number of seconds');
  const config = loadStationConfig(values.config);
  // Under systemd, journald reads the priority from a <N> prefix on each line.
  const logger = createLogger({ name: 'ecosight-station', level: config.logLevel, journald: process.env.JOURNAL_STREAM !== undefined });
  keepRunningOnUnexpectedRejection(logger);
  const exitWhenIdle = values['exit-when-idle'] === true;
  if (exitWhenIdle && config.source.type === 'mic') throw new Error('--exit-when-idle needs a file: or folder: source (a microphone is never idle)');
  try {
    const lifecycle = await composeStation(config, { exitWhenIdle, idleTimeoutMs: idleTimeoutSec * 1000, env: process.env, clock: systemClock, logger });
    const onSignal = (signal: NodeJS.Signals): void => inBackground(lifecycle.requestStop(signal), logger, 'stopping');
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    return await lifecycle.run();
  } catch (err) {
    logger.fatal({ err: describeError(err) }, 'station failed to start');
    return EXIT_FAILURE;
  }
}
