import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb } from '#testkit/test-debs.js';

// The CLI is exercised as built by `tsc -b` (npm test builds first).
const CLI = fileURLToPath(new URL('../../../../dist/scripts/data-fetch.js', import.meta.url));
const HEADER = 'package\tpath_in_package\tlabels\trole\tlicence\tnote';

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(CLI))('npm run data:fetch (CLI, fake cached package)', () => {
  let work: string;
  let cache: string;
  let sources: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecosight-cli-'));
    cache = join(work, 'cache');
    // A stand-in for a training package, pre-placed in the cache so nothing is downloaded.
    await buildDeb(join(cache, 'debs'), 'btanks-data', '0.0-test', {
      'usr/share/games/btanks/data/sounds/shot.wav': { kind: 'sox', rateHz: 22050, channels: 1, effects: ['synth', '0.2', 'noise', 'fade', '0', '0.2', '0.19'] },
      'usr/share/games/btanks/data/sounds/menu/move.wav': { kind: 'sox', rateHz: 22050, channels: 1, effects: ['synth', '0.1', 'sine', '880'] },
    });
    sources = join(work, 'sources.tsv');
    await writeFile(sources, [HEADER,
      'btanks-data\tusr/share/games/btanks/data/sounds/**/*.wav\t\ttrain\tBattle-Tanks-License\t',
      'btanks-data\tusr/share/games/btanks/data/sounds/shot.wav\tgunshot\ttrain\tBattle-Tanks-License\t'].join('\n'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('prints usage with --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: npm run data:fetch/u);
    expect(r.stdout).toMatch(/--cache DIR/u);
  });

  it('builds the index, prints the summary, and does nothing the second time', async () => {
    const first = run(['--sources', sources, '--no-eval', '--quiet'], { ECOSIGHT_DATA_CACHE: cache });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^gunshot +1 +0\.0 +0 +0\.0$/mu);
    expect(first.stdout).toMatch(/^btanks-data +train +2 /mu);
    expect(first.stdout).toMatch(/extractions: 1, conversions: 2/u);
    const index = await readFile(join(cache, 'index.tsv'), 'utf8');
    const second = run(['--cache', cache, '--sources', sources, '--no-eval', '--quiet']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/downloads: 0, extractions: 0, conversions: 0/u);
    expect(second.stdout).toMatch(/\(unchanged, 2 files\)/u);
    expect(await readFile(join(cache, 'index.tsv'), 'utf8')).toBe(index);
  });

  it('exits 2 on an invalid source list, naming the line', async () => {
    const bad = join(work, 'bad.tsv');
    await writeFile(bad, `${HEADER}\nteeworlds-data\ta.wav\tlaser\ttrain\tMIT\t\n`);
    const r = run(['--cache', cache, '--sources', bad, '--no-eval']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2: package teeworlds-data is not in the allowed list/u);
    expect(r.stderr).toMatch(/line 2: unknown class "laser"/u);
  });

  it('exits 1 and names the package when one fails', async () => {
    const stale = join(work, 'stale.tsv');
    await writeFile(stale, `${HEADER}\nbtanks-data\tusr/share/games/btanks/data/sounds/gone.wav\t\ttrain\tMIT\t\n`);
    const r = run(['--cache', cache, '--sources', stale, '--no-eval', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/btanks-data: the source list does not match the package contents/u);
    expect(r.stderr).toMatch(/gone\.wav" matched no file/u);
  });

  it('rejects unknown options', () => {
    const r = run(['--cahce', '/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cahce/u);
  });
});
