/**
 * The OTA fault scenarios' world: a real Mosquitto, the real cloud service on a
 * real port (fs storage, signing key, MQTT announcements), station processes
 * (the built CLI) and an HTTP proxy in front of the cloud that can lie, replay
 * and cut connections like an attacker on the path or a bad link.
 */
import { readlinkSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { basename, join } from 'node:path';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { ensureReferenceClips } from '../../cloud/src/models/bootstrap.js';
import { startTestCloud, type TestCloud } from '../../cloud/test/support/test-cloud.js';
import { writeTinyModelDir } from '../../cloud/test/support/tiny-model.js';
import { tempDir } from '../../station/test/helpers.js';
import { StationProcess } from '../../station/test/station-process.js';

export class OtaWorld {
  readonly broker = new TestMosquitto();
  cloud!: TestCloud;
  baseUrl = '';

  /** Starts the broker and a cloud whose shipped model (published at start) is `firstVersion`. */
  async start(firstVersion: string, env: Record<string, string> = {}): Promise<void> {
    await this.broker.start();
    this.cloud = await startTestCloud({ MQTT_URL: this.broker.url, ...env }, { shippedModelDir: await writeTinyModelDir(firstVersion) });
    this.baseUrl = await this.cloud.app.listen({ port: 0, host: '127.0.0.1' });
    this.cloud.config.publicUrl = this.baseUrl;
  }

  async stop(): Promise<void> {
    await this.cloud?.stop();
    await this.broker.stop();
  }

  /** Publishes a valid, signed release of the tiny model as `version` (as the worker would). */
  async publish(version: string): Promise<void> {
    const dir = await writeTinyModelDir(version);
    await ensureReferenceClips(dir, 16_000);
    await this.cloud.services.publisher.publish({
      version, dir, classes: ['background', 'chainsaw', 'gunshot'], parentVersion: null, jobId: null, metrics: null, baselineMetrics: null, gate: null, report: null,
    });
  }

  /** Where fs storage keeps an object (to play a compromised bucket). */
  objectPath(key: string): string {
    return join(this.cloud.config.dataDir, 'objects', ...key.split('/'));
  }
}

/** Station config: model `modelDir`, an idle folder source, the broker, OTA from `ota` (poll every 5 s) with the cloud's key. */
export function otaStationConfig(world: OtaWorld, modelDir: string, dataDir: string, ota: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stationId: 'st-ota', model: { dir: modelDir, backend: 'wasm' },
    source: { type: 'folder', path: join(dataDir, 'drop'), stableSec: 0 }, mqtt: { url: world.broker.url },
    ota: { publicKey: world.cloud.publicKey, pollIntervalSec: 5, ...ota }, logLevel: 'info', ...extra,
  };
}

/** A station process (not started) on a tiny model of `version`, in a fresh data folder. */
export async function otaStation(world: OtaWorld, version: string, ota: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<StationProcess> {
  const dataDir = tempDir();
  return new StationProcess(dataDir, otaStationConfig(world, await writeTinyModelDir(version), dataDir, ota, extra));
}

/** The version `models/current` points at, if any. */
export function installedVersion(dataDir: string): string | undefined {
  try {
    return basename(readlinkSync(join(dataDir, 'models', 'current')));
  } catch {
    return undefined;
  }
}

export type ProxyAction =
  | { respond: { status: number; body: string | Buffer; headers?: Record<string, string> } }
  | { rewritePath: string }
  | { cutHalf: true };

export interface ProxiedRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * An HTTP proxy in front of the cloud. `rule` sees every request path and may
 * answer it itself, send it to another path, or cut the upstream answer after
 * half its body (the connection drops mid-download).
 */
export class AttackProxy {
  readonly requests: ProxiedRequest[] = [];
  rule: (path: string) => ProxyAction | undefined = () => undefined;
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: () => string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/';
      this.requests.push({ path, headers: req.headers });
      const action = this.rule(path);
      if (action && 'respond' in action) {
        res.writeHead(action.respond.status, { 'content-type': 'application/json', ...action.respond.headers });
        res.end(action.respond.body);
        return;
      }
      const upstream = new URL(action && 'rewritePath' in action ? action.rewritePath : path, this.target());
      const headers = { ...req.headers, host: upstream.host };
      const up = request(upstream, { method: req.method, headers }, (answer) => {
        if (!(action && 'cutHalf' in action)) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(body.length) });
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        });
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
