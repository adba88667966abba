import { createHash, type KeyObject } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join, relative } from 'node:path';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { MANIFEST_FILE, signManifest } from '#shared/release/manifest.js';
import { RELEASE_ROUTES, releaseManifestUrl } from '#shared/release/urls.js';
import { whiteNoise } from '#testkit/signals.js';
import { tempDir } from './helpers.js';

/** Builds a signed release directory from a model directory plus quiet reference clips. */
export function buildRelease(modelDir: string, version: string, signingKey: KeyObject): string {
  const dir = tempDir('ecosight-release-');
  cpSync(modelDir, dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'model_metadata.json'), 'utf8')) as { version: string };
  meta.version = version;
  writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify(meta));
  mkdirSync(join(dir, 'reference'));
  writeFileSync(join(dir, 'reference', '1.wav'), encodeWav16(whiteNoise(1.5, 0.002, 1), 16000));
  writeFileSync(join(dir, 'reference', '2.wav'), encodeWav16(new Float32Array(16000), 16000));
  signRelease(dir, version, signingKey);
  return dir;
}

/** (Re)writes manifest.json for the files in `dir`. */
export function signRelease(dir: string, version: string, signingKey: KeyObject): void {
  const files = listFiles(dir).filter((f) => f !== MANIFEST_FILE).map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
  });
  const manifest = signManifest({ schemaVersion: 1, version, createdAt: new Date().toISOString(), files }, signingKey);
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [relative(base, full)];
  });
}

/**
 * A small HTTP model server like the cloud's, on the release contract's routes
 * (RELEASE_ROUTES): the latest release with an ETag, and release files under
 * `/api/models/<version>/`. `truncate` serves a file cut short (a dropped download).
 */
export class ReleaseServer {
  readonly releases = new Map<string, string>();
  latest: string | undefined;
  truncate: string | undefined;
  requests: string[] = [];
  /** While set, requests for the latest release wait for it before they are answered (a test orders events with it). */
  holdLatest: Promise<void> | undefined;
  private server: Server | undefined;
  port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  manifestUrl(version: string): string {
    return releaseManifestUrl(this.baseUrl, version);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = req.url ?? '/';
      this.requests.push(url);
      if (url === RELEASE_ROUTES.latest) {
        if (this.holdLatest) return void this.holdLatest.then(() => this.answerLatest(req.headers['if-none-match'], res));
        return this.answerLatest(req.headers['if-none-match'], res);
      }
      const m = new RegExp(`^${RELEASE_ROUTES.list}/([^/]+)/(.+)$`).exec(url);
      const dir = m ? this.releases.get(m[1]) : undefined;
      if (!m || !dir) return void res.writeHead(404).end();
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, decodeURIComponent(m[2])));
      } catch {
        return void res.writeHead(404).end();
      }
      if (this.truncate && m[2] === this.truncate) bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
      res.writeHead(200, { 'content-length': bytes.length });
      res.end(bytes);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  private answerLatest(ifNoneMatch: string | string[] | undefined, res: ServerResponse): void {
    if (!this.latest) return void res.writeHead(404).end();
    const etag = `"${this.latest}"`;
    if (ifNoneMatch === etag) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/json', etag });
    res.end(JSON.stringify({ v: 1, version: this.latest, manifestUrl: this.manifestUrl(this.latest), createdAt: new Date().toISOString() }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
