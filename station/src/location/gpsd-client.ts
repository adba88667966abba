import { createConnection, type Socket } from 'node:net';
import type { StationPosition } from '#shared/mqtt/location.js';
import type { Logger } from '#shared/util/logger.js';

export interface GpsdOptions {
  host: string;
  port: number;
  /** Wait before reconnecting after the daemon went away, ms. Default 10 s. */
  retryMs?: number;
}

/** gpsd's TPV ("time-position-velocity") report, the fields we use. */
interface Tpv {
  class: 'TPV';
  mode?: number;
  lat?: number;
  lon?: number;
  alt?: number;
  altHAE?: number;
  epx?: number;
  epy?: number;
}

/**
 * Follows gpsd's JSON protocol (`?WATCH={"enable":true,"json":true}` over TCP,
 * newline-delimited reports) and keeps the newest 2-D or 3-D fix. A missing
 * daemon is logged once and retried; the station falls back to its configured
 * position meanwhile.
 */
export class GpsdClient {
  private socket: Socket | undefined;
  private fix: StationPosition | undefined;
  private stopped = false;
  private warned = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: GpsdOptions, private readonly logger: Logger) {}

  position(): StationPosition | undefined {
    return this.fix;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): void {
    const socket = createConnection({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.warned = false;
      socket.write('?WATCH={"enable":true,"json":true};\n');
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let cut: number;
      while ((cut = buffer.indexOf('\n')) >= 0) {
        this.onLine(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 1);
      }
      if (buffer.length > 65536) buffer = '';
    });
    socket.on('error', (err) => {
      if (!this.warned) this.logger.warn({ err: err.message, host: this.options.host, port: this.options.port }, 'gpsd unreachable; using the configured position meanwhile');
      this.warned = true;
    });
    socket.on('close', () => {
      if (this.stopped) return;
      this.retry = setTimeout(() => this.connect(), this.options.retryMs ?? 10_000);
      this.retry.unref();
    });
  }

  private onLine(line: string): void {
    let report: Partial<Tpv>;
    try {
      report = JSON.parse(line) as Partial<Tpv>;
    } catch {
      return;
    }
    if (report.class !== 'TPV' || (report.mode ?? 0) < 2 || !Number.isFinite(report.lat) || !Number.isFinite(report.lon)) return;
    const alt = report.altHAE ?? report.alt;
    const errors = [report.epx, report.epy].filter((e): e is number => Number.isFinite(e));
    this.fix = {
      latitude: report.lat as number, longitude: report.lon as number,
      altitudeM: report.mode === 3 && Number.isFinite(alt) ? (alt as number) : (this.fix?.altitudeM ?? 0),
      source: 'gpsd', accuracyM: errors.length > 0 ? Math.hypot(...errors) : null,
    };
  }
}
