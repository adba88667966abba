import { constants, existsSync } from 'node:fs';
import { access, open, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, pass, skip, warn, type CheckContext, type CheckOutcome } from './doctor-types.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/** A clock before this is unset (a Pi without RTC boots near 1970 or its last shutdown). */
const PLAUSIBLE_SINCE_MS = Date.UTC(2025, 0, 1);
const DEFAULT_STATION_ID = 'station-01';

/** The config is already parsed and valid; this reports what it means and what looks wrong. */
export async function checkConfig({ config }: CheckContext): Promise<CheckOutcome> {
  const problems: string[] = [];
  const notes: string[] = [];
  const src = config.source;
  if ((src.type === 'file' || src.type === 'folder') && !existsSync(src.path)) problems.push(`source.path ${src.path} does not exist`);
  if (config.upload.presignUrl && !config.upload.token) problems.push('upload.presignUrl needs upload.token (ECOSIGHT_STATION_TOKEN)');
  if (config.ota.url && !config.ota.publicKey) notes.push('ota.url is set but ota.publicKey is empty: every model release will be refused');
  if (config.stationId === DEFAULT_STATION_ID) notes.push(`stationId is the default "${DEFAULT_STATION_ID}": give each station its own`);
  const source = src.type === 'mic' ? `mic ${src.device || '(default device)'}` : `${src.type} ${src.path}`;
  const uploads = config.upload.bucket ? `bucket ${config.upload.bucket}` : config.upload.presignUrl ? 'presigned uploads' : 'local mode';
  const summary = `station ${config.stationId}, source ${source}, ${uploads}, MQTT ${config.mqtt.url ? 'on' : 'off'}`;
  if (problems.length > 0) return fail([...problems, ...notes].join('; '));
  if (notes.length > 0) return warn(`${summary}; ${notes.join('; ')}`);
  return pass(summary);
}

/** Lists capture devices and opens the configured one for a second (mic sources only). */
export async function checkMicrophone({ config, deps, timeoutMs }: CheckContext): Promise<CheckOutcome> {
  const src = config.source;
  if (src.type !== 'mic') return skip(`source is ${src.type}`);
  if (src.recorder !== 'arecord') {
    const probe = await deps.run(src.recorder, ['--version'], { timeoutMs });
    if (probe.error === 'ENOENT') return fail(`${src.recorder} not found: apt-get install sox`);
    return probe.code === 0 ? pass(`${src.recorder} is installed (device not probed)`) : fail(`${src.recorder} --version failed: ${firstLine(probe.stderr)}`);
  }
  const list = await deps.run('arecord', ['-l'], { timeoutMs });
  if (list.error === 'ENOENT') return fail('arecord not found: apt-get install alsa-utils');
  const cards = list.stdout.split('\n').filter((l) => /^card \d+:/.test(l));
  if (cards.length === 0) return fail(`no capture device: arecord -l lists none${list.stderr ? ` (${firstLine(list.stderr)})` : ''}`);
  const device = src.device || 'default';
  const capture = await deps.run('arecord', ['-D', device, '-f', 'S16_LE', '-r', String(SAMPLE_RATE_HZ), '-c', '1', '-d', '1', '-t', 'raw', '-q', '/dev/null'], { timeoutMs });
  const found = `${cards.length} capture device${cards.length === 1 ? '' : 's'} (${cards.map(describeCard).join('; ')})`;
  if (capture.code === 0) return pass(`${found}; ${device} records 16 kHz mono`);
  const why = capture.timedOut ? `no audio within ${timeoutMs} ms` : firstLine(capture.stderr) || `exit code ${capture.code}`;
  if (/busy/i.test(why)) return warn(`${found}; ${device} is busy (is ecosight-station running? stop it to test the microphone)`);
  return fail(`${found}; cannot record from ${device}: ${why}`);
}

/** The data dir must be writable by this user and have room for clips and the outbox. */
export async function checkDisk({ config, deps }: CheckContext): Promise<CheckOutcome> {
  const dir = config.dataDir;
  if (!existsSync(dir)) return warn(`${dir} does not exist yet (the station creates it on first start)`);
  const probe = join(dir, `.doctor-probe-${process.pid}`);
  try {
    await access(dir, constants.W_OK);
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile('ecosight doctor\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(probe);
  } catch (err) {
    const who = process.getuid ? `uid ${process.getuid()}` : 'this user';
    return fail(`${dir} is not writable by ${who}: ${(err as Error).message} (run the doctor as the service user: sudo -u ecosight ecosight-station doctor ...)`);
  }
  const fs = await statfs(dir);
  const freeMb = Math.floor((fs.bavail * fs.bsize) / (1024 * 1024));
  const minMb = deps.minFreeMb ?? 100;
  const warnMb = deps.warnFreeMb ?? 1024;
  const where = `${dir} writable, ${freeMb} MB free`;
  if (freeMb < minMb) return fail(`${where}: below ${minMb} MB`);
  if (config.clips.quotaMb > freeMb) return warn(`${where}: less than clips.quotaMb (${config.clips.quotaMb} MB), the disk fills before the quota applies`);
  if (freeMb < warnMb) return warn(`${where}: below ${warnMb} MB`);
  return pass(where);
}

/** Timestamps on clips and alerts are only as good as the clock. */
export async function checkClock({ deps, timeoutMs }: CheckContext): Promise<CheckOutcome> {
  const now = deps.clock.now();
  if (now < PLAUSIBLE_SINCE_MS) return fail(`system clock reads ${new Date(now).toISOString()}: it has not been set`);
  const at = `clock ${new Date(now).toISOString()}`;
  const timedatectl = await deps.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeoutMs });
  const answer = timedatectl.stdout.trim();
  if (timedatectl.code === 0 && (answer === 'yes' || answer === 'no')) {
    return answer === 'yes' ? pass(`${at}, NTP synchronized (timedatectl)`) : warn(`${at}, not NTP synchronized (timedatectl): timestamps may drift`);
  }
  const chrony = await deps.run('chronyc', ['-n', 'tracking'], { timeoutMs });
  const leap = chrony.stdout.match(/^Leap status\s*:\s*(.+)$/m)?.[1]?.trim();
  if (chrony.code === 0 && leap) {
    return leap === 'Normal' ? pass(`${at}, synchronized (chronyc)`) : warn(`${at}, chronyc reports "${leap}": timestamps may drift`);
  }
  return warn(`${at}, synchronization unknown: neither timedatectl nor chronyc answered`);
}

function describeCard(line: string): string {
  const m = line.match(/^card (\d+): [^[]*\[([^\]]*)\], device (\d+):/);
  return m ? `plughw:${m[1]},${m[3]} ${m[2]}` : line.trim();
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
