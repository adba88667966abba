import { createRequire } from 'node:module';
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** pino level name: fatal, error, warn, info, debug, trace, silent. Default `info`. */
  level?: string;
  /** Component name written into every line (`station`, `cloud`, ...). */
  name: string;
  /** Force human-readable output; by default pretty only when stderr is a TTY. */
  pretty?: boolean;
  /** Write somewhere other than stderr (tests capture logs through this). */
  destination?: NodeJS.WritableStream;
  /**
   * Prefix each line with its syslog priority (`<3>{...}`) so journald files
   * it at the right level. The station turns it on when systemd's JOURNAL_STREAM
   * is set; default off.
   */
  journald?: boolean;
}

// Keys whose values must never reach a log line, wherever they appear in an object.
const REDACT_PATHS = [
  'apiKey', '*.apiKey', 'token', '*.token', 'password', '*.password', 'secretAccessKey',
  '*.secretAccessKey', 'signingKey', '*.signingKey', 'privateKey', '*.privateKey',
  'headers.authorization', 'req.headers.authorization', 'req.headers["x-api-key"]',
  'req.headers.api_key', 'req.headers["x-station-token"]',
];

/**
 * Structured JSON logs (one object per line, journald and Render friendly), with
 * syslog-style severities added so journald can map them; pretty output on a TTY.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      level: (label, number) => ({ level: label, severity: syslogSeverity(number) }),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.journald) {
    options.hooks = { streamWrite: (line) => `<${/"severity":(\d)/.exec(line)?.[1] ?? 6}>${line}` };
  }
  const wantPretty = settings.pretty ?? (settings.destination === undefined && process.stderr.isTTY === true);
  if (wantPretty) {
    const pretty = loadPretty();
    if (pretty) return pino(options, pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss' }));
  }
  return pino(options, settings.destination ?? pino.destination({ dest: 2, sync: true }));
}

/** Maps pino levels to syslog priorities (journald's PRIORITY). */
export function syslogSeverity(pinoLevel: number): number {
  if (pinoLevel >= 60) return 2; // crit
  if (pinoLevel >= 50) return 3; // err
  if (pinoLevel >= 40) return 4; // warning
  if (pinoLevel >= 30) return 6; // info
  return 7; // debug
}

type PrettyFactory = (opts: Record<string, unknown>) => NodeJS.WritableStream;

function loadPretty(): PrettyFactory | undefined {
  try {
    const require = createRequire(import.meta.url);
    return require('pino-pretty') as PrettyFactory;
  } catch {
    return undefined;
  }
}
