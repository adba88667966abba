import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStationConfig } from '#shared/config/station-config.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const UNIT_NAME = 'ecosight-station.service';
const unitText = readFileSync(join(REPO, 'deploy', UNIT_NAME), 'utf8');
const NODE = '/usr/bin/node';

/** `[Section] Key=value` lines; repeated keys keep every value in order. */
function parseUnit(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = line.match(/^\[(.+)\]$/);
    if (header) {
      section = header[1];
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

const unit = parseUnit(unitText);
const one = (key: string): string | undefined => unit.get(key)?.at(-1);

/**
 * `systemd-analyze verify` on a copy of the unit. It checks that ExecStart's
 * binary exists and is executable, so where Node is not at /usr/bin/node (CI
 * images with Node under /opt or nvm) the copy points ExecStart at this test's
 * own Node binary; nothing else changes. It does not check User= (the ecosight
 * user exists only on a field box) nor the script path passed to node. It exits 0
 * on unknown keys and unparsable values, printing a warning instead, so any
 * output counts as a failure here.
 */
function verify(text: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-unit-'));
  const path = join(dir, UNIT_NAME);
  writeFileSync(path, existsSync(NODE) ? text : text.replaceAll(`ExecStart=${NODE} `, `ExecStart=${process.execPath} `));
  const result = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw new Error(`systemd-analyze is needed for this test (apt-get install systemd): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function installerConstant(name: string): string {
  const match = readFileSync(join(REPO, 'deploy/install-station.sh'), 'utf8').match(new RegExp(`^readonly ${name}=(.+)$`, 'm'));
  if (!match) throw new Error(`install-station.sh defines no ${name}`);
  return match[1];
}

describe('deploy/ecosight-station.service', () => {
  it('passes systemd-analyze verify without a single warning', () => {
    expect(verify(unitText)).toEqual({ status: 0, output: '' });
  });

  it('the verification notices a misspelt key and a missing binary (so the check above is live)', () => {
    const typo = verify(unitText.replace('WatchdogSec=', 'WatchdogSecs='));
    expect(typo.output).toMatch(/Unknown key.*WatchdogSecs/);
    const missing = verify(unitText.replace(/^ExecStart=\S+/m, 'ExecStart=/nonexistent/node'));
    expect(missing.status).not.toBe(0);
  });

  it('keeps its exposure score low (systemd-analyze security)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecosight-unit-'));
    writeFileSync(join(dir, UNIT_NAME), unitText);
    // 0 = fully locked down, 100 = unprotected; 25 means "OK" with margin for
    // what the station needs (network, ALSA devices, a JIT).
    const result = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=25', join(dir, UNIT_NAME)], { encoding: 'utf8', timeout: 20_000 });
    const summary = result.stdout.split('\n').find((l) => l.includes('Overall exposure')) ?? result.stderr;
    expect(result.status, summary).toBe(0);
  });

  it('is a notify service with a watchdog that restarts on failure', () => {
    expect(one('Service.Type')).toBe('notify');
    // The daemon notifies through the systemd-notify binary, a child process.
    expect(one('Service.NotifyAccess')).toBe('all');
    expect(one('Service.Restart')).toBe('on-failure');
    expect(Number(one('Service.RestartSec'))).toBeGreaterThan(0);
    const defaults = loadStationConfig(undefined, { ECOSIGHT_SOURCE: 'mic:' });
    // Watchdog pings stop once the heartbeat is stale; systemd must wait longer than that.
    expect(Number(one('Service.WatchdogSec'))).toBeGreaterThan(defaults.systemd.heartbeatStaleSec);
    // systemd must not SIGKILL the daemon while it is still inside its own drain bound.
    expect(Number(one('Service.TimeoutStopSec'))).toBeGreaterThan(defaults.systemd.stopTimeoutSec);
    expect(one('Service.KillMode')).toBe('mixed');
  });

  it('starts the installed app with the installed config, as the ecosight user in group audio', () => {
    const appDir = installerConstant('APP_DIR');
    const confDir = installerConstant('CONF_DIR');
    expect(one('Service.ExecStart')).toBe(`${NODE} ${appDir}/dist/station/src/cli.js run --config ${confDir}/station.yaml`);
    expect(one('Service.User')).toBe(installerConstant('SVC_USER'));
    expect(one('Service.SupplementaryGroups')).toBe(installerConstant('AUDIO_GROUP'));
    expect(one('Service.EnvironmentFile')).toBe(`-${confDir}/station.env`);
  });

  it('is hardened but can still write its data dir, reach the network and open the microphone', () => {
    const dataDir = installerConstant('DATA_DIR');
    const example = loadStationConfig(join(REPO, 'deploy/station.example.yaml'), {});
    expect(example.dataDir).toBe(dataDir);
    expect(one('Service.ReadWritePaths')).toBe(dataDir);
    expect(`/var/lib/${one('Service.StateDirectory')}`).toBe(dataDir);
    expect(one('Service.WorkingDirectory')).toBe(dataDir);
    for (const [key, value] of [['ProtectSystem', 'strict'], ['NoNewPrivileges', 'yes'], ['PrivateTmp', 'yes'], ['ProtectHome', 'yes']]) {
      expect(one(`Service.${key}`), key).toBe(value);
    }
    // PrivateDevices would hide /dev/snd; the closed policy must let ALSA through.
    expect(one('Service.PrivateDevices')).toBeUndefined();
    expect(unit.get('Service.DeviceAllow')).toContain('char-alsa rw');
    const families = (one('Service.RestrictAddressFamilies') ?? '').split(/\s+/);
    for (const family of ['AF_UNIX', 'AF_INET', 'AF_INET6']) expect(families).toContain(family);
    // V8's JIT needs writable+executable memory.
    expect(one('Service.MemoryDenyWriteExecute')).toBeUndefined();
  });
});
