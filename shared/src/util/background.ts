import { describeError } from '../errors.js';
import type { Logger } from './logger.js';

/**
 * Runs a promise nobody awaits (a timer tick, an event handler) so that a
 * rejection is logged once with `what` instead of reaching the process's
 * unhandled-rejection handler. The lint rule `no-floating-promises` (with
 * `void` not accepted) sends every such call here.
 */
export function inBackground(task: Promise<unknown>, logger: Pick<Logger, 'error'>, what: string): void {
  task.catch((err: unknown) => logger.error({ err: describeError(err) }, `${what} failed`));
}

/**
 * A daemon must not die because one promise somewhere rejected unhandled (one
 * hostile retained MQTT message would otherwise crash every station in a
 * restart loop). Log it loudly and keep running: the systemd watchdog, fed only
 * while audio flows, decides whether the process is healthy.
 */
export function keepRunningOnUnexpectedRejection(logger: Pick<Logger, 'error'>, target: NodeJS.EventEmitter = process): () => void {
  const handler = (reason: unknown): void => {
    logger.error({ err: describeError(reason), stack: reason instanceof Error ? reason.stack : undefined }, 'unexpected unhandled rejection (kept running)');
  };
  target.on('unhandledRejection', handler);
  return () => target.off('unhandledRejection', handler);
}
