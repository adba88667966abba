import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStationConfig, type StationConfig } from '#shared/config/station-config.js';
import { YAMNET_FRONT_END } from '#shared/features/params.js';
import { sha256Hex } from '#shared/manifest/canonical-json.js';
import { generateSigningKeyPair, parsePrivateKey } from '#shared/manifest/keys.js';
import { MANIFEST_FILE, signManifest } from '#shared/release/manifest.js';
import { saveModelPackage } from '#shared/model/model-package.js';
import { tf } from '#shared/model/tf.js';
import { TestMosquitto } from '#testkit/mosquitto.js';
import { freePort } from '#testkit/ports.js';
import { TestS3 } from '#testkit/s3rver.js';
import { createLogger } from '#shared/util/logger.js';
import { formatDoctorReport, runDoctor, systemCommandRunner, type CommandResult, type CommandRunner, type DoctorCheckName, type DoctorDeps, type DoctorReport } from '../src/system/doctor.js';

const logger = createLogger({ name: 'doctor-test', level: 'silent', destination: process.stderr });
const NOW = Date.parse('2026-11-26T12:00:00Z');
const ARECORD_L = [
  '**** List of CAPTURE Hardware Devices ****',
  'card 1: Device [USB PnP Sound Device], device 0: USB Audio [USB Audio]',
  '  Subdevices: 1/1',
  '  Subdevice #0: subdevice #0',
].join('\n');

type Script = Record<string, Partial<CommandResult> | undefined>;

/**
 * Plays the programs a field box has (arecord, timedatectl, chronyc) from a
 * script keyed by "command first-arg"; anything unscripted is "not installed".
 * The hardware is what is faked here, not the doctor.
 */
function scriptedRunner(script: Script): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = async (command: string, args: readonly string[]): Promise<CommandResult> => {
    calls.push([command, ...args].join(' '));
    const entry = script[`${command} ${args[0] ?? ''}`.trim()];
    if (!entry) return { code: null, stdout: '', stderr: '', error: 'ENOENT' };
    return { code: 0, stdout: '', stderr: '', ...entry };
  };
  return Object.assign(run, { calls });
}

const healthyBox: Script = {
  'arecord -l': { stdout: ARECORD_L },
  'arecord -D': { code: 0 },
  'timedatectl show': { stdout: 'yes\n' },
  'flac --version': { stdout: 'flac 1.4.2\n' },
};

async function makeModel(dir: string, version = '2026.11.26-1'): Promise<void> {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [96, 64, 1] }),
      tf.layers.dense({ units: 4, activation: 'relu', name: 'embedding' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  await saveModelPackage(dir, model, {
    schemaVersion: 1, version, createdAt: '2026-11-26T00:00:00Z', frontEnd: { ...YAMNET_FRONT_END },
    inputShape: [96, 64, 1], classes: ['background', 'chainsaw', 'gunshot'], thresholds: {}, embeddingLayer: 'embedding',
  });
  model.dispose();
}

function signRelease(dir: string, privateKey: string, version = '2026.11.26-1'): void {
  const files = readdirSync(dir).filter((f) => f !== MANIFEST_FILE).sort().map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, sha256: sha256Hex(bytes), size: bytes.byteLength };
  });
  const manifest = signManifest({ schemaVersion: 1, version, createdAt: '2026-11-26T00:00:00Z', files }, parsePrivateKey(privateKey));
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
}

const check = (report: DoctorReport, name: DoctorCheckName) => {
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} check`);
  return c;
};

describe('ecosight-station doctor', () => {
  const broker = new TestMosquitto();
  const s3 = new TestS3('doctor-bucket');
  const keys = generateSigningKeyPair();
  const root = mkdtempSync(join(tmpdir(), 'ecosight-doctor-'));
  const shipped = join(root, 'shipped-model');
  const release = join(root, 'release');
  const savedEnv = { ...process.env };
  let cloud: Server;
  let cloudUrl = '';

  beforeAll(async () => {
    await Promise.all([broker.start(), s3.start(), makeModel(shipped), makeModel(release)]);
    signRelease(release, keys.privateKey);
    // The bucket check uses the standard AWS credential chain, like the uploader.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    const port = await freePort();
    cloud = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/status' ? '{"status":"ok","version":"0.1.0"}' : '{}');
    });
    await new Promise<void>((r) => cloud.listen(port, '127.0.0.1', r));
    cloudUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    process.env = savedEnv;
    await Promise.all([broker.stop(), s3.stop(), new Promise<void>((r) => cloud.close(() => r()))]);
  });

  /** A mic station with a data dir, the broker, the bucket, the cloud and the signed release. */
  function fieldConfig(overrides: Record<string, unknown> = {}): StationConfig {
    const dataDir = mkdtempSync(join(root, 'data-'));
    const file = join(dataDir, 'station.json');
    writeFileSync(file, JSON.stringify({
      stationId: 'north-ridge',
      dataDir,
      source: { type: 'mic', device: 'plughw:1,0' },
      model: { dir: release, backend: 'cpu' },
      mqtt: { url: broker.url },
      upload: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, presignUrl: cloudUrl, token: 'tok' },
      ota: { url: cloudUrl, publicKey: keys.publicKey },
      ...overrides,
    }));
    return loadStationConfig(file, {});
  }

  const deps = (run: CommandRunner, extra: Partial<DoctorDeps> = {}): DoctorDeps => ({
    run, clock: { now: () => NOW }, logger, shippedModelDir: shipped, checkTimeoutMs: 3000, minFreeMb: 1, warnFreeMb: 2, ...extra,
  });

  it('passes every check on a healthy field box and says so', async () => {
    const runner = scriptedRunner(healthyBox);
    const report = await runDoctor(fieldConfig(), deps(runner));
    const failures = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.detail}`);
    expect(failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(check(report, 'microphone').detail).toContain('plughw:1,0');
    expect(runner.calls).toContain('arecord -D plughw:1,0 -f S16_LE -r 16000 -c 1 -d 1 -t raw -q /dev/null');
    expect(check(report, 'broker').detail).toMatch(/^connected to mqtt:\/\/127\.0\.0\.1:\d+ in \d+ ms/);
    expect(check(report, 'model').detail).toMatch(/version 2026\.11\.26-1, 3 classes, runs on cpu; signature by key [0-9a-f]{16} valid, \d+ files match/);
    expect(report.startedAt).toBe('2026-11-26T12:00:00.000Z');

    const text = formatDoctorReport(report);
    for (const name of ['config', 'microphone', 'disk', 'clock', 'clips', 'broker', 'bucket', 'cloud', 'model']) expect(text).toMatch(new RegExp(`^ {2}PASS {2}${name}\\s`, 'm'));
    expect(text).toMatch(/^OK \(0 failed, 0 warnings\)$/m);
  });

  it('warns (not fails) when the clip encoder is missing, and names the package', async () => {
    const script: Script = { ...healthyBox, 'flac --version': undefined };
    const report = await runDoctor(fieldConfig(), deps(scriptedRunner(script)));
    expect(check(report, 'clips')).toMatchObject({ status: 'warn' });
    expect(check(report, 'clips').detail).toBe('flac is not installed: clips are written as WAV until it is (apt-get install flac)');
    expect(report.ok).toBe(true);
  });

  it('fails when the broker and the bucket are unreachable, without hiding the other checks', async () => {
    const port = await freePort();
    const config = fieldConfig({
      mqtt: { url: `mqtt://127.0.0.1:${port}` },
      upload: { bucket: 'no-such-bucket', endpoint: s3.endpoint, forcePathStyle: true },
    });
    const report = await runDoctor(config, deps(scriptedRunner(healthyBox)));
    expect(report.ok).toBe(false);
    expect(check(report, 'broker')).toMatchObject({ status: 'fail' });
    expect(check(report, 'broker').detail).toContain('ECONNREFUSED');
    expect(check(report, 'bucket')).toMatchObject({ status: 'fail' });
    expect(check(report, 'bucket').detail).toContain('does not exist');
    expect(check(report, 'model').status).toBe('pass');
    const text = formatDoctorReport(report);
    expect(text).toMatch(/^ {2}FAIL {2}broker\s/m);
    expect(text).toMatch(/^NOT READY \(2 failed, 0 warnings\)/m);
  });

  it('fails the bucket check without credentials and reports a stopped broker', async () => {
    await broker.stop();
    const creds = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const profileFile = join(root, 'no-aws-config');
    Object.assign(process.env, { AWS_CONFIG_FILE: profileFile, AWS_SHARED_CREDENTIALS_FILE: profileFile, AWS_EC2_METADATA_DISABLED: 'true' });
    try {
      const report = await runDoctor(fieldConfig(), deps(scriptedRunner(healthyBox)));
      expect(check(report, 'broker').status).toBe('fail');
      expect(check(report, 'bucket').status).toBe('fail');
      expect(check(report, 'bucket').detail).toContain('AWS_ACCESS_KEY_ID');
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: creds.id, AWS_SECRET_ACCESS_KEY: creds.secret });
      await broker.start();
    }
  });

  it('refuses a tampered, mis-signed or mismatched model release', async () => {
    const tampered = join(root, 'tampered');
    await makeModel(tampered);
    signRelease(tampered, keys.privateKey);
    const weights = join(tampered, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[0] ^= 0xff;
    writeFileSync(weights, bytes);
    const report = await runDoctor(fieldConfig({ model: { dir: tampered, backend: 'cpu' } }), deps(scriptedRunner(healthyBox)));
    expect(check(report, 'model')).toMatchObject({ status: 'fail' });
    expect(check(report, 'model').detail).toContain('weights.bin: sha256');

    const otherKey = generateSigningKeyPair().publicKey;
    const wrongKey = await runDoctor(fieldConfig({ ota: { url: cloudUrl, publicKey: otherKey } }), deps(scriptedRunner(healthyBox)));
    expect(check(wrongKey, 'model').detail).toContain('signature does not verify');

    const mismatched = join(root, 'mismatched');
    await makeModel(mismatched, '2026.12.01-1');
    signRelease(mismatched, keys.privateKey, '2026.11.26-1');
    const version = await runDoctor(fieldConfig({ model: { dir: mismatched, backend: 'cpu' } }), deps(scriptedRunner(healthyBox)));
    expect(check(version, 'model').detail).toContain('manifest is for version 2026.11.26-1, the model says 2026.12.01-1');

    const unsigned = await runDoctor(fieldConfig({ model: { dir: '', backend: 'cpu' } }), deps(scriptedRunner(healthyBox)));
    expect(check(unsigned, 'model')).toMatchObject({ status: 'pass' });
    expect(check(unsigned, 'model').detail).toContain('shipped with the app');

    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'model.json'), '{}');
    const missing = await runDoctor(fieldConfig({ model: { dir: broken, backend: 'cpu' } }), deps(scriptedRunner(healthyBox)));
    expect(check(missing, 'model')).toMatchObject({ status: 'fail' });
    expect(check(missing, 'model').detail).toContain('MODEL_INVALID');
  });

  it('reports microphone problems: no device, no arecord, a busy device, a device that does not open', async () => {
    const mic = async (script: Script) => check(await runDoctor(fieldConfig(), deps(scriptedRunner(script))), 'microphone');
    expect(await mic({ ...healthyBox, 'arecord -l': { stdout: '', stderr: 'aplay: device_list:274: no soundcards found...' } }))
      .toMatchObject({ status: 'fail', detail: 'no capture device: arecord -l lists none (aplay: device_list:274: no soundcards found...)' });
    expect(await mic({})).toMatchObject({ status: 'fail', detail: 'arecord not found: apt-get install alsa-utils' });
    expect((await mic({ ...healthyBox, 'arecord -D': { code: 1, stderr: 'arecord: main:831: audio open error: Device or resource busy' } })).status).toBe('warn');
    const bad = await mic({ ...healthyBox, 'arecord -D': { code: 1, stderr: 'arecord: main:831: audio open error: No such file or directory' } });
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('cannot record from plughw:1,0: arecord: main:831: audio open error: No such file or directory');
    const file = fieldConfig({ source: { type: 'file', path: release } });
    expect(check(await runDoctor(file, deps(scriptedRunner({}))), 'microphone')).toMatchObject({ status: 'pass', skipped: true });
  });

  it('checks the clock: unset fails, unsynchronized or unknown warns, chrony is a fallback', async () => {
    const clockCheck = async (script: Script, now = NOW) => check(await runDoctor(fieldConfig(), deps(scriptedRunner(script), { clock: { now: () => now } })), 'clock');
    expect(await clockCheck(healthyBox, Date.parse('1970-01-01T00:01:00Z'))).toMatchObject({ status: 'fail' });
    expect((await clockCheck({ 'timedatectl show': { stdout: 'no\n' } })).status).toBe('warn');
    const chrony = await clockCheck({ 'timedatectl show': { code: 1, stderr: 'System has not been booted with systemd' }, 'chronyc -n': { stdout: 'Reference ID    : C0A80001\nLeap status     : Normal\n' } });
    expect(chrony).toMatchObject({ status: 'pass' });
    expect(chrony.detail).toContain('chronyc');
    expect((await clockCheck({ 'chronyc -n': { stdout: 'Leap status     : Not synchronised\n' } })).status).toBe('warn');
    expect((await clockCheck({})).detail).toContain('synchronization unknown');
  });

  it('checks the data dir: missing warns, a file in its place fails, low free space fails', async () => {
    const diskCheck = async (dataDir: string, extra: Partial<DoctorDeps> = {}) => check(await runDoctor({ ...fieldConfig(), dataDir }, deps(scriptedRunner(healthyBox), extra)), 'disk');
    expect((await diskCheck(join(root, 'not-yet'))).status).toBe('warn');
    const notADir = join(root, 'a-file');
    writeFileSync(notADir, 'x');
    expect(await diskCheck(notADir)).toMatchObject({ status: 'fail' });
    const real = mkdtempSync(join(root, 'disk-'));
    const low = await diskCheck(real, { minFreeMb: Number.MAX_SAFE_INTEGER });
    expect(low.status).toBe('fail');
    expect(low.detail).toMatch(/writable, \d+ MB free: below \d+ MB/);
    expect(readdirSync(real)).toEqual([]); // the write probe cleans up after itself
  });

  it('skips what is not configured: MQTT off, local mode, no cloud', async () => {
    const report = await runDoctor(fieldConfig({ mqtt: {}, upload: {}, ota: {} }), deps(scriptedRunner(healthyBox)));
    for (const name of ['broker', 'bucket', 'cloud'] as const) expect(check(report, name)).toMatchObject({ status: 'pass', skipped: true });
    expect(check(report, 'bucket').detail).toContain('local mode');
    expect(formatDoctorReport(report)).toMatch(/^ {2}SKIP {2}broker\s+mqtt\.url is empty/m);
  });

  it('warns about config that will not work as intended', async () => {
    const report = await runDoctor(fieldConfig({ stationId: 'station-01', ota: { url: cloudUrl } }), deps(scriptedRunner(healthyBox)));
    expect(check(report, 'config').status).toBe('warn');
    expect(check(report, 'config').detail).toContain('ota.publicKey is empty');
    expect(check(report, 'config').detail).toContain('stationId is the default');
  });
});

describe('systemCommandRunner', () => {
  it('returns exit code and output, reports a missing program and enforces the timeout', async () => {
    expect(await systemCommandRunner('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 })).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await systemCommandRunner('ecosight-no-such-program', [], { timeoutMs: 5000 })).toMatchObject({ code: null, error: 'ENOENT' });
    const started = Date.now();
    expect(await systemCommandRunner('sleep', ['10'], { timeoutMs: 200 })).toMatchObject({ code: null, timedOut: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('drives the real microphone check on this machine', async () => {
    // Whatever the machine has, the check must come back with a verdict, not throw.
    const dataDir = mkdtempSync(join(tmpdir(), 'ecosight-doctor-real-'));
    const config = loadStationConfig(undefined, { ECOSIGHT_SOURCE: 'mic:', ECOSIGHT_DATA_DIR: dataDir });
    const report = await runDoctor(config, { run: systemCommandRunner, clock: { now: () => Date.now() }, logger, shippedModelDir: join(dataDir, 'none'), checkTimeoutMs: 5000 });
    expect(['pass', 'warn', 'fail']).toContain(check(report, 'microphone').status);
    expect(check(report, 'model')).toMatchObject({ status: 'fail' });
  });
});
