import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { latestReleaseUrl, releaseManifestUrl } from '#shared/release/urls.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { loadShippedOnsetModel } from '#shared/detect/onset-model.js';
import { ModelError } from '#shared/errors.js';
import { GunshotOnsetSink } from '../src/pipeline/gunshot-onset-sink.js';
import { followModelSwitch } from '../src/pipeline/gunshot-path.js';
import type { PipelineSink } from '../src/pipeline/sink.js';
import { validateCandidate } from '../src/ota/model-validator.js';
import { saveTestModel } from '#testkit/test-model.js';
import { composeStation } from '../src/main.js';
import { ModelInstaller } from '../src/ota/model-installer.js';
import { ModelUpdater } from '../src/ota/model-updater.js';
import type { ModelSwitch } from '../src/pipeline/runner.js';
import { openDatabase } from '../src/store/database.js';
import { KeyValueStore } from '../src/store/kv.js';
import { systemClock } from '../src/core/clock.js';
import { scene } from './audio-scenes.js';
import { quietLogger, tempDir, writeWav } from './helpers.js';
import { buildRelease, ReleaseServer, signRelease } from './release-server.js';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const publicKeyB64 = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const server = new ReleaseServer();
let baseModel: string;
let goodModel: string;
let faultyModel: string;

beforeAll(async () => {
  await initBackend(quietLogger(), 'wasm');
  baseModel = await saveTestModel({ version: '1.0.0' });
  goodModel = await saveTestModel({ version: '1.1.0', peakiness: 3.5 });
  faultyModel = await saveTestModel({ version: '1.2.0', nanAboveLevel: -2 });
  await server.start();
});
afterAll(() => server.stop());

/** A ModelUpdater against a host that records what it was asked to switch to. */
async function updaterFor(options: { pinned?: string } = {}) {
  const root = tempDir();
  const running: ModelPackage = await loadModelPackage(baseModel);
  const switches: ModelSwitch[] = [];
  const db = openDatabase(join(root, 'station.db'));
  const installer = new ModelInstaller(join(root, 'models'));
  const updater = new ModelUpdater(
    { baseUrl: server.baseUrl, pollIntervalMs: 60_000, publicKey: keys.publicKey, pinnedVersion: options.pinned ?? '', mqttPrefix: 'ecosight' },
    installer, { currentModel: () => switches.at(-1)?.model ?? running, requestModelSwitch: (s) => switches.push(s) },
    () => [], new KeyValueStore(db), undefined, baseModel, quietLogger(),
  );
  return { updater, installer, switches, root };
}

/** Writes `onset/onset-model.json` into a release directory (stage 2 as the cloud's retrain publishes it) and re-signs it. */
function withOnset(content: string, version: string): (dir: string) => void {
  return (dir) => {
    mkdirSync(join(dir, 'onset'), { recursive: true });
    writeFileSync(join(dir, 'onset', 'onset-model.json'), content);
    signRelease(dir, version, keys.privateKey);
  };
}

function publish(version: string, modelDir: string, mutate?: (dir: string) => void): string {
  const dir = buildRelease(modelDir, version, keys.privateKey);
  mutate?.(dir);
  server.releases.set(version, dir);
  return dir;
}

describe('over-the-air model updates against a local model server', () => {
  it('installs a signed, valid newer release: polled with ETag, verified, linked as current', async () => {
    publish('1.1.0', goodModel);
    server.latest = '1.1.0';
    const { updater, installer, switches } = await updaterFor();
    expect(await updater.poll()).toBe('installed');
    expect(switches).toHaveLength(1);
    expect(switches[0].model.metadata.version).toBe('1.1.0');
    expect(installer.currentVersion()).toBe('1.1.0');
    expect(existsSync(join(installer.dirOf('1.1.0'), 'reference', '1.wav'))).toBe(true);
    // The next poll sends the ETag and gets 304.
    expect(await updater.poll()).toBe('up-to-date');
    expect(server.requests.filter((r) => `${server.baseUrl}${r}` === latestReleaseUrl(server.baseUrl)).length).toBeGreaterThanOrEqual(2);
  });

  // A file that arrives short or altered may be a bad link: refused for now ('deferred'), asked again later.
  const refusals: Array<[string, (version: string) => void, 'refused' | 'deferred']> = [
    ['a tampered weights file (hash mismatch)', (v) => publish(v, goodModel, (dir) => {
      const path = join(dir, 'weights.bin');
      const bytes = readFileSync(path);
      bytes[10] ^= 0xff;
      writeFileSync(path, bytes);
    }), 'deferred'],
    ['a manifest signed with the wrong key', (v) => publish(v, goodModel, (dir) => signRelease(dir, v, otherKeys.privateKey)), 'refused'],
    ['an unsigned manifest', (v) => publish(v, goodModel, (dir) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      delete m.signature;
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    }), 'refused'],
    ['a truncated download', (v) => {
      publish(v, goodModel);
      server.truncate = 'weights.bin';
    }, 'deferred'],
    ['a path that escapes the release folder', (v) => publish(v, goodModel, (dir) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Array<{ path: string }> };
      m.files[0].path = '../../etc/passwd';
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    }), 'refused'],
    ['oversized weights (more bytes than the manifest declares)', (v) => publish(v, goodModel, (dir) => {
      writeFileSync(join(dir, 'weights.bin'), Buffer.concat([readFileSync(join(dir, 'weights.bin')), Buffer.alloc(1 << 20)]));
    }), 'deferred'],
    ['a signed release whose model metadata names another version', (v) => publish(v, goodModel, (dir) => {
      const meta = JSON.parse(readFileSync(join(dir, 'model_metadata.json'), 'utf8')) as { version: string };
      meta.version = '9.9.9';
      writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify(meta));
      signRelease(dir, v, keys.privateKey);
    }), 'refused'],
    ['an old release replayed under a new version', (v) => server.releases.set(v, buildRelease(goodModel, '1.0.5', keys.privateKey)), 'refused'],
    ['a signed release whose stage-2 onset/onset-model.json is malformed', (v) => publish(v, goodModel, withOnset('{"format":"ecosight-onset-mlp/1","version":"x"}', v)), 'refused'],
    ['a signed release whose stage-2 onset/onset-model.json is not JSON', (v) => publish(v, goodModel, withOnset('{"format":', v)), 'refused'],
  ];
  for (const [what, prepare, outcome] of refusals) {
    it(`refuses ${what} and keeps the current model`, async () => {
      const version = `1.5.${refusals.findIndex(([w]) => w === what)}`;
      prepare(version);
      const { updater, installer, switches, root } = await updaterFor();
      expect(await updater.consider(version, server.manifestUrl(version), 'test')).toBe(outcome);
      server.truncate = undefined;
      expect(switches).toHaveLength(0);
      expect(installer.currentVersion()).toBeUndefined();
      expect(existsSync(installer.stagingDir(version))).toBe(false);
      expect(existsSync(join(root, 'models', version))).toBe(false);
    });
  }

  it('names the broken stage-2 file when it refuses a release for it', async () => {
    const running = await loadModelPackage(baseModel);
    const bad = publish('1.8.0', goodModel, withOnset(JSON.stringify({ format: 'ecosight-onset-mlp/1', version: 'x', inputSize: 3 }), '1.8.0'));
    const err = await validateCandidate(bad, running, '1.8.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/^onset\/onset-model\.json: not an onset model: /);
    const garbled = publish('1.8.1', goodModel, withOnset('{"format":', '1.8.1'));
    expect(((await validateCandidate(garbled, running, '1.8.1').catch((e: unknown) => e)) as Error).message).toContain('onset/onset-model.json is not JSON');
  });

  it('installs a release that carries its own stage 2, and the two-stage path switches to it', async () => {
    const shipped = (await loadShippedOnsetModel())!;
    publish('1.7.0', goodModel, withOnset(JSON.stringify({ ...shipped.file, version: '1.7.0-onset' }), '1.7.0'));
    const { updater, installer, switches, root } = await updaterFor();
    expect(await updater.consider('1.7.0', server.manifestUrl('1.7.0'), 'test')).toBe('installed');
    const installed = installer.dirOf('1.7.0');
    expect(existsSync(join(installed, 'onset', 'onset-model.json'))).toBe(true);
    expect(switches[0].model.dir).toBe(installed);
    // The station's gunshot path (started on the shipped stage 2) follows the switch to the release's own.
    const inner: PipelineSink = {
      segmentStart: () => undefined, audio: () => undefined, windows: () => undefined, detection: () => undefined,
      segmentEnd: () => undefined, gap: () => undefined, rejected: () => undefined,
    };
    const path = new GunshotOnsetSink(inner, shipped, () => ['gunshot']);
    expect(path.onsetModelVersion).toBe(shipped.file.version);
    await followModelSwitch(path, switches[0].model.dir, root, quietLogger());
    expect(path.onsetModelVersion).toBe('1.7.0-onset');
  });

  it('refuses hostile versions before they touch a path', async () => {
    const { updater, root } = await updaterFor();
    for (const version of ['z/../../clips', '..', 'a/b', '']) expect(await updater.consider(version, server.manifestUrl('1.1.0'), 'test'), version).toBe('refused');
    expect(readdirSync(root).sort()).toEqual(['station.db', ...readdirSync(root).filter((n) => n.startsWith('station.db-'))].sort());
  });

  it('keeps no ETag after a failed download, so the next poll tries again', async () => {
    publish('1.6.0', goodModel);
    server.latest = '1.6.0';
    server.truncate = 'weights.bin';
    const { updater, installer } = await updaterFor();
    expect(await updater.poll()).toBe('deferred');
    server.truncate = undefined;
    expect(await updater.poll()).toBe('installed');
    expect(installer.currentVersion()).toBe('1.6.0');
    expect(await updater.poll()).toBe('up-to-date');
  });

  it('refuses a downgrade unless an operator pins that version', async () => {
    publish('0.9.0', goodModel);
    const plain = await updaterFor();
    expect(await plain.updater.consider('0.9.0', server.manifestUrl('0.9.0'), 'test')).toBe('refused');
    expect(plain.switches).toHaveLength(0);
    const pinned = await updaterFor({ pinned: '0.9.0' });
    expect(await pinned.updater.consider('0.9.0', server.manifestUrl('0.9.0'), 'test')).toBe('installed');
    expect(pinned.installer.currentVersion()).toBe('0.9.0');
  });
});

describe('model announcements over MQTT', () => {
  it('downloads an announced release from the station\'s own cloud, not from the host the announcement names', async () => {
    const { TestMosquitto } = await import('#testkit/mosquitto.js');
    const { MqttLink } = await import('../src/actions/mqtt-link.js');
    const { connect } = await import('mqtt');
    const broker = new TestMosquitto();
    await broker.start();
    try {
      publish('1.3.0', goodModel);
      const root = tempDir();
      const running = await loadModelPackage(baseModel);
      const switches: ModelSwitch[] = [];
      const db = openDatabase(join(root, 'station.db'));
      const mqtt = validateConfig(StationConfigSchema, { mqtt: { url: broker.url } }, 'test').mqtt;
      const link = new MqttLink({ config: mqtt, stationId: 'st-ann', softwareVersion: 't', modelVersion: () => running.metadata.version }, quietLogger());
      const installer = new ModelInstaller(join(root, 'models'));
      const updater = new ModelUpdater(
        { baseUrl: server.baseUrl, pollIntervalMs: 3_600_000, publicKey: keys.publicKey, pinnedVersion: '', mqttPrefix: 'ecosight' },
        installer, { currentModel: () => switches.at(-1)?.model ?? running, requestModelSwitch: (sw) => switches.push(sw) },
        () => [], new KeyValueStore(db), link, baseModel, quietLogger(),
      );
      link.start();
      updater.start(new AbortController().signal);
      // A retained announcement naming an address the station cannot (and should not) reach.
      const announcer = connect(broker.url);
      await new Promise<void>((r) => announcer.on('connect', () => r()));
      await announcer.publishAsync('ecosight/models/latest', JSON.stringify({ v: 1, version: '1.3.0', manifestUrl: releaseManifestUrl('http://10.255.255.1:9', '1.3.0'), createdAt: new Date().toISOString() }), { qos: 1, retain: true });
      const { waitFor } = await import('#testkit/ports.js');
      await waitFor(() => (switches.length > 0 ? true : undefined), 15_000, 'the announced model');
      expect(switches[0].model.metadata.version).toBe('1.3.0');
      expect(server.requests.map((r) => `${server.baseUrl}${r}`)).toContain(server.manifestUrl('1.3.0'));
      updater.stop();
      await link.stop(1000);
      await announcer.endAsync();
      db.close();
    } finally {
      await broker.stop();
    }
  }, 30_000);
});

describe('model switch inside a running station', () => {
  /** Resolves once the station's database (read-only, beside the running station) holds a detection, or after 30 s. */
  async function firstDetectionStored(path: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!existsSync(path)) continue;
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const row = db.prepare(`SELECT COUNT(*) AS n FROM detections`).get() as { n: number };
        if (row.n > 0) return;
      } catch {
        // The station has not created its tables yet.
      } finally {
        db.close();
      }
    }
  }

  async function runStation(dataDir: string, wav: string) {
    const config = validateConfig(StationConfigSchema, {
      stationId: 'st-ota', dataDir, source: { type: 'file', path: wav, realtime: true },
      model: { dir: '', backend: 'wasm' }, clips: { preRollSec: 0.2, postRollSec: 0.2 },
      // These test models' own gunshot class is what the swap is judged by (not the shipped two-stage detector).
      detection: { gunshotDetector: 'window' },
      ota: { url: server.baseUrl, publicKey: publicKeyB64, pollIntervalSec: 30 },
    }, 'test');
    // The station starts on the base model: install it as the OTA "current" so no shipped model is needed.
    const installer = new ModelInstaller(join(dataDir, 'models'));
    const { cpSync } = await import('node:fs');
    cpSync(baseModel, installer.dirOf('1.0.0'), { recursive: true });
    await installer.activate('1.0.0');
    const lifecycle = await composeStation(config, { exitWhenIdle: true, idleTimeoutMs: 5000, env: {}, clock: systemClock, logger: quietLogger() });
    const code = await lifecycle.run();
    const db = openDatabase(join(dataDir, 'station.db'));
    const detections = db.prepare(`SELECT model_version, start_sample FROM detections ORDER BY start_sample`).all() as Array<{ model_version: string; start_sample: number }>;
    const gaps = db.prepare(`SELECT COUNT(*) AS n FROM source_gaps`).get() as { n: number };
    const kv = new KeyValueStore(db).get<string[]>('ota.badVersions');
    db.close();
    return { code, lifecycle, detections, gaps: gaps.n, badVersions: kv ?? [], installer };
  }

  it('swaps in a new model between windows without a gap in the processed audio', async () => {
    publish('1.1.0', goodModel);
    server.latest = '1.1.0';
    const dataDir = tempDir();
    const seconds = 10;
    const wav = writeWav(join(dataDir, 'shots.wav'), scene(seconds, [{ kind: 'shots', atSec: 0.2, durationSec: 0.6 }, { kind: 'shots', atSec: 8, durationSec: 1 }]));
    // The station's first poll is answered only once the first burst is stored, so the
    // switch falls between the bursts however loaded the machine is (the second burst
    // comes more than 5 s of real-time replay later).
    server.holdLatest = firstDetectionStored(join(dataDir, 'station.db'));
    try {
      const r = await runStation(dataDir, wav);
      expect(r.code).toBe(0);
      expect(r.lifecycle.modelVersion).toBe('1.1.0');
      expect(r.detections.map((d) => d.model_version)).toEqual(['1.0.0', '1.1.0']);
      // Every sample was analysed: windows at every 0.48 s hop plus the padded tail.
      expect(r.lifecycle.counters.audioSamples).toBe(seconds * 16000);
      expect(r.lifecycle.counters.discontinuities).toBe(0);
      expect(r.lifecycle.counters.windows).toBe(Math.floor((seconds * 16000 - 15600) / 7680) + 2);
      expect(r.gaps).toBe(0);
    } finally {
      server.holdLatest = undefined;
    }
  }, 40_000);

  it('rolls back a model that fails at run time and re-analyses the same windows on the previous one', async () => {
    publish('1.2.0', faultyModel);
    server.latest = '1.2.0';
    const dataDir = tempDir();
    const wav = writeWav(join(dataDir, 'shots.wav'), scene(6, [{ kind: 'shots', atSec: 4, durationSec: 1 }]));
    const r = await runStation(dataDir, wav);
    expect(r.code).toBe(0);
    expect(r.badVersions).toEqual(['1.2.0']);
    expect(r.lifecycle.modelVersion).toBe('1.0.0');
    expect(r.installer.currentVersion()).toBe('1.0.0');
    // The shots that broke the new model were still detected, by the old one.
    expect(r.detections).toHaveLength(1);
    expect(r.detections[0].model_version).toBe('1.0.0');
    expect(r.lifecycle.counters.audioSamples).toBe(6 * 16000);
  }, 30_000);
});
