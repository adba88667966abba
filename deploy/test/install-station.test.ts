import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = join(REPO, 'deploy/install-station.sh');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function install(...args: string[]): Run {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

/** A built EcoSight tree in miniature: what a checkout after `npm run build` holds. */
function appSource(): string {
  const src = mkdtempSync(join(tmpdir(), 'ecosight-app-'));
  write(join(src, 'package.json'), '{"name":"ecosight","version":"1.0.0"}\n');
  write(join(src, 'package-lock.json'), '{"lockfileVersion":3}\n');
  write(join(src, 'dist/station/src/cli.js'), '#!/usr/bin/env node\nconsole.log(JSON.stringify({ station: process.argv.slice(2), key: process.env.AWS_ACCESS_KEY_ID }));\n', 0o755);
  write(join(src, 'dist/shared/src/old.js'), 'export const old = 1;\n');
  write(join(src, 'dist/ml/src/train/trainer.js'), 'export const train = 1;\n');
  write(join(src, 'dist/cloud/src/app.js'), 'export const cloud = 1;\n');
  write(join(src, 'models/model.json'), '{"modelTopology":{}}\n');
  write(join(src, 'models/weights.bin'), 'weights');
  write(join(src, 'node_modules/pkg/index.js'), 'module.exports = 1;\n');
  write(join(src, 'node_modules/pkg/bin/tool.js'), '#!/usr/bin/env node\n', 0o755);
  mkdirSync(join(src, 'node_modules/.bin'));
  symlinkSync('../pkg/bin/tool.js', join(src, 'node_modules/.bin/tool'));
  write(join(src, 'docs/field-install.md'), '# Field install\n');
  return src;
}

/** Every entry under root: type, mode, owner, inode (a rewrite with equal bytes still shows), mtime, size, content hash or link target. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const path = join(root, rel);
    const st = lstatSync(path);
    const kind = st.isSymbolicLink() ? `link->${readlinkSync(path)}` : st.isDirectory() ? 'dir' : `file sha256=${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    out.set(rel || '.', `${kind} mode=${(st.mode & 0o7777).toString(8)} owner=${st.uid}:${st.gid} inode=${st.ino} mtime=${st.mtimeMs} size=${st.size}`);
    if (st.isDirectory()) for (const name of readdirSync(path).sort()) walk(rel ? `${rel}/${name}` : name);
  };
  walk('');
  return out;
}

function changedPaths(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

const mode = (path: string): string => (lstatSync(path).mode & 0o7777).toString(8);

describe('deploy/install-station.sh into a throwaway root (--no-system)', () => {
  it('installs the app, config, data dir, unit and wrapper with the intended permissions', () => {
    const src = appSource();
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    const run = install('--root', root, '--no-system', '--skip-npm', '--app-source', src);
    expect(run.status, run.stderr).toBe(0);

    // System changes are printed, not made.
    expect(run.stdout).toMatch(/would run: useradd --root \S+ --system --gid ecosight --groups audio .*ecosight$/m);
    expect(run.stdout).toContain(`would run: systemctl --root=${root} enable ecosight-station.service`);

    const app = join(root, 'opt/ecosight');
    expect(readFileSync(join(app, 'dist/station/src/cli.js'), 'utf8')).toContain('process.argv');
    expect(mode(join(app, 'dist/station/src/cli.js'))).toBe('755');
    expect(readdirSync(join(app, 'dist')).sort(), 'a field box gets the station and shared code only').toEqual(['shared', 'station']);
    expect(readFileSync(join(app, 'models/weights.bin'), 'utf8')).toBe('weights');
    expect(readlinkSync(join(app, 'node_modules/.bin/tool'))).toBe('../pkg/bin/tool.js');
    expect(existsSync(join(app, 'docs/field-install.md'))).toBe(true);

    const example = readFileSync(join(REPO, 'deploy/station.example.yaml'), 'utf8');
    expect(readFileSync(join(root, 'etc/ecosight/station.yaml'), 'utf8')).toBe(example);
    expect(readFileSync(join(root, 'etc/systemd/system/ecosight-station.service'), 'utf8')).toBe(readFileSync(join(REPO, 'deploy/ecosight-station.service'), 'utf8'));
    const wrapper = readFileSync(join(root, 'usr/local/bin/ecosight-station'), 'utf8');
    expect(wrapper).toMatch(/^#!\/bin\/sh\n/);
    expect(wrapper).toContain('exec /usr/bin/node /opt/ecosight/dist/station/src/cli.js "$@"');
    expect(wrapper).toContain('. /etc/ecosight/station.env');

    // Modes are applied for real; ownership is recorded (chown needs the real user).
    expect(mode(join(root, 'etc/ecosight'))).toBe('750');
    expect(mode(join(root, 'etc/ecosight/station.yaml'))).toBe('640');
    expect(mode(join(root, 'etc/ecosight/station.env'))).toBe('640');
    expect(mode(join(root, 'var/lib/ecosight'))).toBe('750');
    expect(mode(join(root, 'usr/local/bin/ecosight-station'))).toBe('755');
    expect(mode(join(root, 'etc/systemd/system/ecosight-station.service'))).toBe('644');
    const ownership = readFileSync(join(root, 'ecosight-install.ownership'), 'utf8').trim().split('\n').sort();
    expect(ownership).toEqual([
      'ecosight:ecosight 0750 /var/lib/ecosight',
      'root:ecosight 0640 /etc/ecosight/station.env',
      'root:ecosight 0640 /etc/ecosight/station.yaml',
      'root:ecosight 0750 /etc/ecosight',
      'root:root 0644 /etc/ecosight/station.yaml.example',
      'root:root 0644 /etc/systemd/system/ecosight-station.service',
      'root:root 0755 /opt/ecosight',
      'root:root 0755 /usr/local/bin/ecosight-station',
    ]);
  });

  it('installs a command wrapper that passes arguments through with the service\'s environment file', () => {
    const src = appSource();
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    expect(install('--root', root, '--no-system', '--skip-npm', '--app-source', src).status).toBe(0);
    writeFileSync(join(root, 'etc/ecosight/station.env'), 'AWS_ACCESS_KEY_ID=AKIAFROMENVFILE\n');
    // The wrapper names absolute paths; point them into the throwaway root to run it here.
    const wrapper = readFileSync(join(root, 'usr/local/bin/ecosight-station'), 'utf8')
      .replaceAll('/etc/ecosight/', `${root}/etc/ecosight/`)
      .replace('/usr/bin/node /opt/ecosight/', `${process.execPath} ${root}/opt/ecosight/`);
    writeFileSync(join(root, 'wrapper.sh'), wrapper);
    const r = spawnSync('sh', [join(root, 'wrapper.sh'), 'doctor', '--config', 'a file.yaml'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ station: ['doctor', '--config', 'a file.yaml'], key: 'AKIAFROMENVFILE' });
  });

  it('a second run changes nothing (contents, modes, owners and mtimes of every entry)', () => {
    const src = appSource();
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    expect(install('--root', root, '--no-system', '--skip-npm', '--app-source', src).status).toBe(0);
    const before = snapshot(root);
    const again = install('--root', root, '--no-system', '--skip-npm', '--app-source', src);
    expect(again.status, again.stderr).toBe(0);
    expect(changedPaths(before, snapshot(root))).toEqual([]);
    expect(again.stdout).toContain('up to date');
    expect(again.stdout).not.toContain('Created /etc/ecosight/station.yaml');
  });

  it('an upgrade replaces only what changed and never touches the operator\'s config', () => {
    const src = appSource();
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    expect(install('--root', root, '--no-system', '--skip-npm', '--app-source', src).status).toBe(0);
    const edited = 'stationId: north-ridge\ndataDir: /var/lib/ecosight\n';
    writeFileSync(join(root, 'etc/ecosight/station.yaml'), edited);
    writeFileSync(join(root, 'etc/ecosight/station.env'), 'AWS_ACCESS_KEY_ID=AKIA\n');
    const before = snapshot(root);

    write(join(src, 'dist/station/src/cli.js'), '#!/usr/bin/env node\nconsole.log("station v2");\n', 0o755);
    write(join(src, 'dist/cloud/src/new.js'), 'export const fresh = 1;\n');
    rmSync(join(src, 'dist/shared'), { recursive: true });
    const upgrade = install('--root', root, '--no-system', '--skip-npm', '--app-source', src);
    expect(upgrade.status, upgrade.stderr).toBe(0);

    expect(readFileSync(join(root, 'etc/ecosight/station.yaml'), 'utf8')).toBe(edited);
    expect(readFileSync(join(root, 'etc/ecosight/station.env'), 'utf8')).toBe('AWS_ACCESS_KEY_ID=AKIA\n');
    expect(readFileSync(join(root, 'opt/ecosight/dist/station/src/cli.js'), 'utf8')).toContain('v2');
    expect(changedPaths(before, snapshot(root))).toEqual([
      'opt/ecosight/dist', // an entry removed below it
      'opt/ecosight/dist/shared',
      'opt/ecosight/dist/shared/src',
      'opt/ecosight/dist/shared/src/old.js',
      'opt/ecosight/dist/station/src', // cli.js was renamed into place
      'opt/ecosight/dist/station/src/cli.js',
    ]);
    expect(existsSync(join(root, 'opt/ecosight/dist/shared'))).toBe(false);
    expect(existsSync(join(root, 'opt/ecosight/dist/cloud')), 'a field box gets no cloud code').toBe(false);
  });

  it('--uninstall removes everything but the data, keeping a copy of the config', () => {
    const src = appSource();
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    expect(install('--root', root, '--no-system', '--skip-npm', '--app-source', src).status).toBe(0);
    writeFileSync(join(root, 'etc/ecosight/station.yaml'), 'stationId: north-ridge\n');
    write(join(root, 'var/lib/ecosight/clips/2026/clip-1.wav'), 'RIFF');

    const run = install('--root', root, '--no-system', '--uninstall');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`would run: systemctl --root=${root} disable ecosight-station.service`);
    for (const gone of ['opt/ecosight', 'etc/ecosight', 'etc/systemd/system/ecosight-station.service', 'usr/local/bin/ecosight-station', 'ecosight-install.ownership']) {
      expect(existsSync(join(root, gone)), gone).toBe(false);
    }
    expect(readFileSync(join(root, 'var/lib/ecosight/clips/2026/clip-1.wav'), 'utf8')).toBe('RIFF');
    expect(readFileSync(join(root, 'var/lib/ecosight/config-backup/station.yaml'), 'utf8')).toBe('stationId: north-ridge\n');
    // Uninstalling twice is harmless.
    expect(install('--root', root, '--no-system', '--uninstall').status).toBe(0);
  });

  it('runs npm ci --omit=dev only when the lock file (or the Node ABI) changed', () => {
    // npm itself needs the registry; a stand-in on PATH records the calls and
    // creates node_modules the way npm ci does (empty it, then fill it).
    const bin = mkdtempSync(join(tmpdir(), 'ecosight-npm-'));
    const calls = join(bin, 'calls');
    write(join(bin, 'npm'), `#!/bin/sh\necho "$PWD $*" >> ${calls}\nrm -rf node_modules && mkdir -p node_modules/dep && echo 1 > node_modules/dep/index.js\n`, 0o755);
    const withNpm = (...args: string[]): Run => {
      const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const src = appSource();
    rmSync(join(src, 'node_modules'), { recursive: true });
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    const first = withNpm('--root', root, '--no-system', '--app-source', src);
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(calls, 'utf8')).toBe(`${root}/opt/ecosight ci --omit=dev --no-audit --no-fund\n`);
    expect(existsSync(join(root, 'opt/ecosight/node_modules/dep/index.js'))).toBe(true);

    const before = snapshot(root);
    expect(withNpm('--root', root, '--no-system', '--app-source', src).status).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(changedPaths(before, snapshot(root))).toEqual([]);

    write(join(src, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{}}}\n');
    expect(withNpm('--root', root, '--no-system', '--app-source', src).status).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses an app source that is not built, and unknown options', () => {
    const src = appSource();
    rmSync(join(src, 'dist'), { recursive: true });
    const root = mkdtempSync(join(tmpdir(), 'ecosight-root-'));
    const run = install('--root', root, '--no-system', '--skip-npm', '--app-source', src);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("run 'npm ci && npm run build' there first");
    expect(existsSync(join(root, 'opt/ecosight'))).toBe(false);
    const bad = install('--root', root, '--no-system', '--frobnicate');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('unknown option: --frobnicate');
  });
});

const isRoot = process.getuid?.() === 0;
const hasTool = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('deploy/install-station.sh into an image root (real useradd -R, systemctl --root)', () => {
  // Creating users inside a root needs root; CI containers run as root.
  it.skipIf(!isRoot || !hasTool('useradd') || !hasTool('systemctl'))('creates the user there, chowns by its numeric ids, enables the unit, and is idempotent', () => {
    const src = appSource();
    const root = mkdtempSync(join(tmpdir(), 'ecosight-image-'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\naudio:x:29:\n');
    writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n');
    writeFileSync(join(root, 'etc/gshadow'), 'root:*::\naudio:*::\n');
    for (const f of ['shadow', 'gshadow']) chmodSync(join(root, 'etc', f), 0o640);
    if (existsSync('/etc/login.defs')) copyFileSync('/etc/login.defs', join(root, 'etc/login.defs'));

    const run = install('--root', root, '--skip-npm', '--app-source', src);
    expect(run.status, run.stderr).toBe(0);
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8').match(/^ecosight:x:(\d+):(\d+):/m);
    expect(passwd, 'ecosight user created in the image').not.toBeNull();
    const [uid, gid] = [Number(passwd![1]), Number(passwd![2])];
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toMatch(/^audio:x:29:ecosight$/m);
    expect(lstatSync(join(root, 'var/lib/ecosight'))).toMatchObject({ uid, gid });
    expect(lstatSync(join(root, 'etc/ecosight/station.yaml'))).toMatchObject({ uid: 0, gid });
    expect(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/ecosight-station.service'))).toBe('/etc/systemd/system/ecosight-station.service');

    const before = snapshot(root);
    expect(install('--root', root, '--skip-npm', '--app-source', src).status).toBe(0);
    expect(changedPaths(before, snapshot(root))).toEqual([]);
  });
});

describe('deploy/install-station.sh lint', () => {
  // CI installs shellcheck from apt; without it this check cannot run.
  it.skipIf(!hasTool('shellcheck'))('passes shellcheck', () => {
    const r = spawnSync('shellcheck', ['--severity=style', SCRIPT], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
