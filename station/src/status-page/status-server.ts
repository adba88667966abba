import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clipContentType, codecOfKey } from '#shared/audio/clip-codec.js';
import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { DoctorReport } from '../system/doctor-types.js';
import type { Service } from '../core/service.js';
import type { AudioTap } from './audio-tap.js';
import { cookie, readBody, SECURITY_HEADERS, send, sendJson } from './http-util.js';
import { verifyPassword } from './password-hash.js';
import { LoginThrottle, Sessions } from './sessions.js';
import type { StatusQueries } from './status-queries.js';
import type { StatusSnapshots } from './status-snapshot.js';
import { APP_JS, loginPage, STATUS_PAGE, STYLE_CSS } from './ui-assets.js';

export interface StatusServerOptions {
  host: string;
  port: number;
  passwordHash: string;
  sessionHours: number;
  /** Clip downloads served at once; more get 503 (each holds a file and a socket). */
  maxClipStreams?: number;
  /** Open connections at most; the kernel queues or refuses the rest. */
  maxConnections?: number;
}

export interface StatusServerParts {
  snapshots: StatusSnapshots;
  tap: AudioTap;
  queries: StatusQueries;
  doctor: () => Promise<DoctorReport>;
  now: () => number;
}

const SESSION_COOKIE = 'ecosight_status';
const CLIP_ID = /^\/clips\/([A-Za-z0-9_-][A-Za-z0-9._-]{0,127})$/; // clip ids name their station: `<stationId>.ev-<hash>`

/**
 * The station status page, served from the daemon's own process: the live level
 * and spectrogram are computed from audio already in memory, and a sidecar would
 * need that audio copied over IPC. Same-process work stays bounded: answers come
 * from a 1 s snapshot shared by all browsers, SQLite reads are LIMITed, passwords
 * are checked by scrypt on the thread pool, clip files stream with backpressure
 * (a slow browser holds a socket, not the event loop), and connection and stream
 * counts are capped.
 */
export class StatusServer implements Service {
  readonly name = 'status-page';
  private server: Server | undefined;
  private readonly sessions: Sessions;
  private readonly throttle: LoginThrottle;
  private clipStreams = 0;
  private doctorRun: Promise<DoctorReport> | undefined;
  private lastDoctor: DoctorReport | undefined;

  constructor(private readonly options: StatusServerOptions, private readonly parts: StatusServerParts, private readonly logger: Logger) {
    this.sessions = new Sessions(options.sessionHours * 3_600_000, parts.now);
    this.throttle = new LoginThrottle(parts.now);
  }

  async start(): Promise<void> {
    this.parts.queries.open();
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        this.logger.warn({ url: req.url, err: describeError(err) }, 'status page request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    server.maxConnections = this.options.maxConnections ?? 32;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.logger.info({ url: `http://${this.options.host}:${this.port}/` }, 'status page listening');
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    this.parts.queries.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', APP_JS);
    if (req.method === 'GET' && path === '/style.css') return send(res, 200, 'text/css; charset=utf-8', STYLE_CSS);
    if (req.method === 'POST' && path === '/login') return this.login(req, res);
    const token = cookie(req, SESSION_COOKIE);
    if (!this.sessions.valid(token)) {
      if (req.method === 'GET' && path === '/') return send(res, 401, 'text/html; charset=utf-8', loginPage(''));
      return sendJson(res, 401, { error: 'log in first' });
    }
    if (req.method === 'POST' && path === '/logout') {
      this.sessions.end(token);
      return send(res, 303, 'text/plain', '', { location: '/', 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
    }
    if (req.method === 'GET' && path === '/') return send(res, 200, 'text/html; charset=utf-8', STATUS_PAGE);
    if (req.method === 'GET' && path === '/api/status') return sendJson(res, 200, await this.parts.snapshots.get());
    if (req.method === 'GET' && path === '/api/level') return sendJson(res, 200, this.parts.tap.currentLevel());
    if (req.method === 'GET' && path === '/api/spectrogram') return sendJson(res, 200, this.parts.tap.spectrogram());
    if (req.method === 'GET' && path === '/api/doctor') return sendJson(res, 200, this.lastDoctor ?? null);
    if (req.method === 'POST' && path === '/api/doctor') return sendJson(res, 200, await this.runDoctor());
    const clip = CLIP_ID.exec(path);
    if (req.method === 'GET' && clip?.[1]) return this.streamClip(clip[1], res);
    sendJson(res, 404, { error: 'not found' });
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const waitMs = this.throttle.waitMs();
    if (waitMs > 0) return send(res, 429, 'text/html; charset=utf-8', loginPage(`Too many wrong passwords: try again in ${Math.ceil(waitMs / 1000)} s.`), { 'retry-after': String(Math.ceil(waitMs / 1000)) });
    const body = await readBody(req, 1024).catch(() => undefined);
    const password = body === undefined ? undefined : new URLSearchParams(body).get('password');
    if (password && (await verifyPassword(password, this.options.passwordHash))) {
      this.throttle.succeeded();
      const maxAgeSec = Math.round(this.options.sessionHours * 3600);
      return send(res, 303, 'text/plain', '', { location: '/', 'set-cookie': `${SESSION_COOKIE}=${this.sessions.create()}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}` });
    }
    this.throttle.failed();
    this.logger.warn({ remote: req.socket.remoteAddress }, 'status page: wrong password');
    send(res, 401, 'text/html; charset=utf-8', loginPage('Wrong password.'));
  }

  /** One doctor run at a time; browsers asking meanwhile share it. */
  private runDoctor(): Promise<DoctorReport> {
    this.doctorRun ??= this.parts.doctor().then((report) => {
      this.lastDoctor = report;
      this.parts.snapshots.doctorRan(report);
      return report;
    }).finally(() => {
      this.doctorRun = undefined;
    });
    return this.doctorRun;
  }

  private streamClip(id: string, res: ServerResponse): void {
    const clip = this.parts.queries.clipFile(id);
    if (!clip) return sendJson(res, 404, { error: 'no such clip on this station (never recorded, or deleted for space)' });
    if (this.clipStreams >= (this.options.maxClipStreams ?? 4)) return sendJson(res, 503, { error: 'busy: too many clips playing at once' });
    this.clipStreams++;
    let released = false;
    const release = (): void => {
      if (!released) this.clipStreams--;
      released = true;
    };
    const stream = createReadStream(clip.path);
    stream.once('open', () => {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': clipContentType(codecOfKey(clip.objectKey) ?? 'wav') });
      stream.pipe(res);
    });
    stream.once('error', () => {
      if (!res.headersSent) sendJson(res, 404, { error: 'clip file missing' });
      else res.destroy();
      release();
    });
    // A browser that stops reading is cut off after a minute rather than holding a slot forever.
    res.setTimeout(60_000, () => res.destroy());
    res.once('close', () => {
      stream.destroy();
      release();
    });
  }
}
