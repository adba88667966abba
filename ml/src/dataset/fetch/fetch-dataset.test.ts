import { readFile, rm, stat, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWavHeader } from '#shared/audio/wav-format.js';
import { readDatasetIndex } from '../index-file.js';
import { writeRcc } from '../qt-rcc-writer.js';
import { parseSourceList } from '../sources-file.js';
import { AptGetDownloader, type DebDownloader } from './deb-cache.js';
import { fetchDataset, type FetchOptions, type SourceList } from './fetch-dataset.js';
import { runCommand } from './run-command.js';
import { buildDeb, type DebContent } from '#testkit/test-debs.js';

const HEADER = 'package\tpath_in_package\tlabels\trole\tlicence\tnote';
const list = (split: 'train' | 'eval', ...rows: string[]): SourceList => ({
  rows: parseSourceList([HEADER, ...rows].join('\n'), `${split}.tsv`), split,
});

/** Fails the test if anything tries to download: every .deb is pre-placed in the cache. */
class NoNetwork implements DebDownloader {
  calls: string[] = [];
  async download(pkg: string): Promise<void> {
    this.calls.push(pkg);
    throw new Error(`no network in tests (asked for ${pkg})`);
  }
}

const tone = (seconds: number, rateHz = 44100, channels = 1, freq = 440): DebContent =>
  ({ kind: 'sox', rateHz, channels, effects: ['synth', String(seconds), 'sine', String(freq), 'vol', '0.5'] });

async function fakeFiles(shotSec: number): Promise<Record<string, DebContent>> {
  const rccSource = await mkdtemp(join(tmpdir(), 'ecosight-rcc-'));
  await runCommand('sox', ['-R', '-n', '-r', '22050', '-c', '1', join(rccSource, 'dog.wav'), 'synth', '0.3', 'square', '300']);
  const dog = await readFile(join(rccSource, 'dog.wav'));
  await rm(rccSource, { recursive: true, force: true });
  return {
    'usr/share/fake/sounds/shot.wav': tone(shotSec, 48000, 1, 1000),
    'usr/share/fake/sounds/menu.ogg': tone(0.4, 44100, 2),
    'usr/share/fake/sounds/skip.ogg': tone(0.2),
    'usr/share/fake/sounds/broken.wav': { kind: 'bytes', bytes: 'this is not audio' },
    'usr/share/fake/sounds/alias.wav': { kind: 'symlink', target: 'shot.wav' },
    'usr/share/fake/ambient/forest.flac': { kind: 'sox', rateHz: 32000, channels: 2, effects: ['synth', '1.5', 'pinknoise', 'vol', '0.2'] },
    'usr/share/fake/res.rcc': { kind: 'bytes', bytes: writeRcc([{ path: 'snd/dog.wav', bytes: dog, compress: true }]) },
    'usr/share/doc/ecosight-fake/copyright': { kind: 'bytes', bytes: 'License: CC0-1.0\n' },
  };
}

const TRAIN_ROWS = [
  'ecosight-fake\tusr/share/fake/sounds/*.{wav,ogg}\t\ttrain\tCC0-1.0\tdefault',
  'ecosight-fake\tusr/share/fake/sounds/shot.wav\tgunshot\ttrain\tCC0-1.0\t',
  'ecosight-fake\tusr/share/fake/sounds/skip.ogg\t\texclude\tCC0-1.0\t',
  'ecosight-fake\tusr/share/fake/ambient/forest.flac\tbird,insect\tbackground\tCC-BY-3.0\t',
  'ecosight-fake\tusr/share/fake/res.rcc!snd/*.wav\tdog_bark\ttrain\tGPL-3+\t',
];

describe('fetchDataset (fake packages, no network)', () => {
  let work: string;
  let cache: string;
  let options: FetchOptions;
  const noNetwork = new NoNetwork();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecosight-fetch-'));
    cache = join(work, 'cache');
    await buildDeb(join(cache, 'debs'), 'ecosight-fake', '1.0', await fakeFiles(0.12));
    await buildDeb(join(cache, 'debs'), 'ecosight-fake-eval', '1.0', { 'usr/share/e/gun.ogg': tone(0.3) });
    options = {
      cacheDir: cache,
      downloader: noNetwork,
      jobs: 2,
      lists: [list('train', ...TRAIN_ROWS), list('eval', 'ecosight-fake-eval\tusr/share/e/gun.ogg\tgunshot\ttrain\tGPL-2+\t')],
    };
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('extracts, resolves, converts to 16 kHz mono 16-bit and writes the index', async () => {
    const report = await fetchDataset(options);
    expect(report.failures).toEqual([]);
    expect(noNetwork.calls).toEqual([]);
    expect(report.packages.map((p) => [p.package, p.split, p.downloaded, p.extracted, p.converted, p.cached, p.skipped])).toEqual([
      ['ecosight-fake', 'train', false, true, 4, 0, 1],
      ['ecosight-fake-eval', 'eval', false, true, 1, 0, 0],
    ]);
    expect(report.skipped).toEqual([expect.objectContaining({ package: 'ecosight-fake', sourcePath: 'usr/share/fake/sounds/broken.wav' })]);
    expect(report.indexWritten).toBe(true);

    const entries = await readDatasetIndex(cache);
    expect(entries.map((e) => [e.sourcePath, e.labels.join(','), e.role, e.split, e.licence])).toEqual([
      ['usr/share/fake/ambient/forest.flac', 'bird,insect', 'background', 'train', 'CC-BY-3.0'],
      ['usr/share/fake/res.rcc!snd/dog.wav', 'dog_bark', 'train', 'train', 'GPL-3+'],
      ['usr/share/fake/sounds/menu.ogg', '', 'train', 'train', 'CC0-1.0'],
      ['usr/share/fake/sounds/shot.wav', 'gunshot', 'train', 'train', 'CC0-1.0'],
      ['usr/share/e/gun.ogg', 'gunshot', 'train', 'eval', 'GPL-2+'],
    ]);
    for (const entry of entries) {
      const bytes = await readFile(entry.wavPath);
      const fmt = parseWavHeader(bytes, bytes.byteLength);
      expect([fmt.sampleRateHz, fmt.channels, fmt.encoding]).toEqual([16000, 1, 'int16']);
      expect(fmt.dataBytes / 2 / 16000).toBeCloseTo(entry.durationSec, 3);
    }
    const duration = (p: string): number => entries.find((e) => e.sourcePath === p)!.durationSec;
    expect(duration('usr/share/fake/sounds/shot.wav')).toBeCloseTo(0.12, 3); // short sounds are kept as they are
    expect(duration('usr/share/fake/ambient/forest.flac')).toBeCloseTo(1.5, 3);
    expect(duration('usr/share/fake/res.rcc!snd/dog.wav')).toBeCloseTo(0.3, 3);
    expect(entries[1].wavPath).toBe(join(cache, 'wav/ecosight-fake/usr/share/fake/res.rcc/snd/dog.wav.wav'));
  });

  it('does nothing on a second run and leaves the index byte-identical', async () => {
    const indexBefore = await readFile(join(cache, 'index.tsv'), 'utf8');
    const wavDir = join(cache, 'wav', 'ecosight-fake', 'usr/share/fake/sounds');
    const mtimesBefore = await mtimes(wavDir);
    const report = await fetchDataset(options);
    expect(report.failures).toEqual([]);
    expect(report.packages.map((p) => [p.extracted, p.converted, p.cached, p.skipped])).toEqual([[false, 0, 4, 1], [false, 0, 1, 0]]);
    expect(report.indexWritten).toBe(false);
    expect(await readFile(join(cache, 'index.tsv'), 'utf8')).toBe(indexBefore);
    expect(await mtimes(wavDir)).toEqual(mtimesBefore);
    expect(noNetwork.calls).toEqual([]);
  });

  it('re-extracts and reconverts when a new version of the .deb replaces the old one', async () => {
    await rm(join(cache, 'debs', 'ecosight-fake_1.0_all.deb'));
    await buildDeb(join(cache, 'debs'), 'ecosight-fake', '2.0', await fakeFiles(0.25));
    const report = await fetchDataset(options);
    expect(report.packages[0]).toMatchObject({ extracted: true, converted: 4, cached: 0, skipped: 1 });
    expect(report.packages[0].debPath).toMatch(/ecosight-fake_2\.0_all\.deb$/u);
    expect(report.indexWritten).toBe(true);
    const shot = (await readDatasetIndex(cache)).find((e) => e.sourcePath.endsWith('shot.wav'))!;
    expect(shot.durationSec).toBeCloseTo(0.25, 3);
  });

  it('reports failing packages by name and reason, and leaves the index alone', async () => {
    const indexBefore = await readFile(join(cache, 'index.tsv'), 'utf8');
    const report = await fetchDataset({
      ...options,
      lists: [
        list('train', ...TRAIN_ROWS, 'ecosight-fake\tusr/share/fake/sounds/gone.wav\t\ttrain\tCC0-1.0\t', 'ecosight-missing\ta.wav\t\ttrain\tMIT\t'),
        list('eval', 'ecosight-fake\tusr/share/fake/sounds/menu.ogg\t\ttrain\tCC0-1.0\t'),
      ],
    });
    expect(report.failures).toEqual([
      { package: 'ecosight-fake', reason: 'listed for both training and evaluation; a package may feed only one' },
      { package: 'ecosight-missing', reason: 'download failed: no network in tests (asked for ecosight-missing)' },
    ]);
    const stale = await fetchDataset({ ...options, lists: [list('train', ...TRAIN_ROWS, 'ecosight-fake\tusr/share/fake/sounds/gone.wav\t\ttrain\tCC0-1.0\t')] });
    expect(stale.failures).toHaveLength(1);
    expect(stale.failures[0].package).toBe('ecosight-fake');
    expect(stale.failures[0].reason).toMatch(/line 7: "usr\/share\/fake\/sounds\/gone.wav" matched no file/u);
    expect(stale.indexWritten).toBe(false);
    expect(await readFile(join(cache, 'index.tsv'), 'utf8')).toBe(indexBefore);
  });
});

describe('fetchDataset: one recording in several packages', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ecosight-dupes-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A decaying noise burst made once with sox (-R: repeatable), and copies of it in other encodings. */
  async function encodings(): Promise<Record<'wav' | 'ogg22k' | 'other', Uint8Array>> {
    const base = join(work, 'burst.wav');
    await runCommand('sox', ['-R', '-n', '-r', '44100', '-c', '1', '-b', '16', base, 'synth', '0.6', 'whitenoise', 'fade', 'p', '0', '0.6', '0.5', 'pad', '0.2', '0.2']);
    await runCommand('sox', ['-R', base, '-r', '22050', join(work, 'burst.ogg'), 'gain', '-4']);
    await runCommand('sox', ['-R', '-n', '-r', '44100', '-c', '1', '-b', '16', join(work, 'other.wav'), 'synth', '0.6', 'pinknoise', 'fade', 'p', '0', '0.6', '0.5', 'pad', '0.2', '0.2']);
    const read = async (name: string): Promise<Uint8Array> => new Uint8Array(await readFile(join(work, name)));
    return { wav: await read('burst.wav'), ogg22k: await read('burst.ogg'), other: await read('other.wav') };
  }

  it('keeps one copy (the evaluation one when there is one), lists the rest in duplicates.tsv', async () => {
    const audio = await encodings();
    const cache = join(work, 'cache');
    await buildDeb(join(cache, 'debs'), 'ecosight-lib-a', '1.0', {
      'usr/share/a/gun.wav': { kind: 'bytes', bytes: audio.wav },
      'usr/share/a/other.wav': { kind: 'bytes', bytes: audio.other },
    });
    await buildDeb(join(cache, 'debs'), 'ecosight-lib-b', '1.0', { 'usr/share/b/sfx/shot.ogg': { kind: 'bytes', bytes: audio.ogg22k } });
    await buildDeb(join(cache, 'debs'), 'ecosight-lib-eval', '1.0', { 'usr/share/e/pistol.wav': { kind: 'bytes', bytes: audio.wav } });
    const train = list('train',
      'ecosight-lib-a\tusr/share/a/*.wav\tgunshot\ttrain\tCC0-1.0\t',
      'ecosight-lib-b\tusr/share/b/sfx/shot.ogg\tgunshot\ttrain\tCC0-1.0\t');
    const both = await fetchDataset({ cacheDir: cache, downloader: new NoNetwork(), lists: [train] });
    expect(both.failures).toEqual([]);
    expect((await readDatasetIndex(cache)).map((e) => `${e.package}:${e.sourcePath}`)).toEqual([
      'ecosight-lib-a:usr/share/a/gun.wav', 'ecosight-lib-a:usr/share/a/other.wav',
    ]);
    expect(both.duplicates.map((d) => [d.dropped.package, d.keptAs.package])).toEqual([['ecosight-lib-b', 'ecosight-lib-a']]);

    const withEval = await fetchDataset({
      cacheDir: cache, downloader: new NoNetwork(),
      lists: [train, list('eval', 'ecosight-lib-eval\tusr/share/e/pistol.wav\tgunshot\ttrain\tCC0-1.0\t')],
    });
    const entries = await readDatasetIndex(cache);
    expect(entries.map((e) => `${e.split}:${e.package}:${e.sourcePath}`)).toEqual([
      'train:ecosight-lib-a:usr/share/a/other.wav', 'eval:ecosight-lib-eval:usr/share/e/pistol.wav',
    ]);
    expect(withEval.duplicates).toHaveLength(2);
    expect(await readFile(join(cache, 'duplicates.tsv'), 'utf8')).toBe([
      'dropped_package\tdropped_source_path\tkept_package\tkept_source_path',
      'ecosight-lib-a\tusr/share/a/gun.wav\tecosight-lib-eval\tusr/share/e/pistol.wav',
      'ecosight-lib-b\tusr/share/b/sfx/shot.ogg\tecosight-lib-eval\tusr/share/e/pistol.wav',
      '',
    ].join('\n'));
  });
});

describe('AptGetDownloader', () => {
  it('turns an unknown package into an error that names it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecosight-apt-'));
    try {
      // apt resolves names from its local lists, so this fails without touching the network.
      await expect(new AptGetDownloader().download('ecosight-no-such-package', dir)).rejects.toThrow(/apt-get .*ecosight-no-such-package/u);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function mtimes(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = (await stat(join(dir, name))).mtimeMs;
  return out;
}
