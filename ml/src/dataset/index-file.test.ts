import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetFileError } from './dataset-error.js';
import { defaultCacheDir, formatDatasetIndex, parseDatasetIndex, readDatasetIndex, type IndexRecord } from './index-file.js';

const RECORDS: IndexRecord[] = [
  { wav: 'wav/btanks-data/usr/share/games/btanks/data/sounds/shot.ogg.wav', package: 'btanks-data', sourcePath: 'usr/share/games/btanks/data/sounds/shot.ogg',
    labels: ['gunshot'], licence: 'Battle-Tanks-License', durationSec: 0.6526, role: 'train', split: 'train' },
  { wav: 'wav/btanks-data/a/forest.ogg.wav', package: 'btanks-data', sourcePath: 'a/forest.ogg', labels: ['bird', 'insect'],
    licence: 'CC-BY-3.0', durationSec: 87.77, role: 'background', split: 'train' },
  { wav: 'wav/cube2-data/x.rcc/m/dog.ogg.wav', package: 'cube2-data', sourcePath: 'x.rcc!m/dog.ogg', labels: [], licence: 'GPL-3+',
    durationSec: 0.1, role: 'train', split: 'eval' },
];

describe('dataset index', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecosight-index-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through the TSV form, resolving WAV paths against the cache', async () => {
    const text = formatDatasetIndex(RECORDS);
    expect(text.split('\n')[0]).toBe('wav\tpackage\tsource_path\tlabels\tlicence\tduration_sec\trole\tsplit');
    expect(text.split('\n')[2]).toBe('wav/btanks-data/a/forest.ogg.wav\tbtanks-data\ta/forest.ogg\tbird,insect\tCC-BY-3.0\t87.770\tbackground\ttrain');
    await writeFile(join(dir, 'index.tsv'), text);
    const entries = await readDatasetIndex(dir);
    expect(entries).toEqual([
      { wavPath: join(dir, RECORDS[0].wav), package: 'btanks-data', sourcePath: RECORDS[0].sourcePath, labels: ['gunshot'],
        licence: 'Battle-Tanks-License', durationSec: 0.653, role: 'train', split: 'train' },
      { wavPath: join(dir, RECORDS[1].wav), package: 'btanks-data', sourcePath: 'a/forest.ogg', labels: ['bird', 'insect'],
        licence: 'CC-BY-3.0', durationSec: 87.77, role: 'background', split: 'train' },
      { wavPath: join(dir, RECORDS[2].wav), package: 'cube2-data', sourcePath: 'x.rcc!m/dog.ogg', labels: [], licence: 'GPL-3+',
        durationSec: 0.1, role: 'train', split: 'eval' },
    ]);
  });

  it('lists every bad line', () => {
    const header = 'wav\tpackage\tsource_path\tlabels\tlicence\tduration_sec\trole\tsplit';
    const text = [header,
      '/abs.wav\tp\ts\tgunshot\tMIT\t1.0\ttrain\ttrain',
      'w.wav\tp\ts\tlaser\tMIT\t-1\texclude\ttest',
      'w.wav\tp\ts',
    ].join('\n');
    let error: unknown;
    try {
      parseDatasetIndex(text, dir, 'index.tsv');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatasetFileError);
    expect((error as DatasetFileError).problems).toEqual([
      'line 2: wav must be a path inside the cache',
      'line 3: unknown class(es) laser',
      'line 3: bad duration_sec "-1"',
      'line 3: role must be train or background',
      'line 3: split must be train or eval',
      'line 4: expected 8 fields, found 3',
    ]);
    expect(() => parseDatasetIndex('wav\tpackage\n', dir)).toThrow(/header must be/u);
  });

  it('says how to create a missing index', async () => {
    await expect(readDatasetIndex(dir)).rejects.toThrow(/npm run data:fetch/u);
  });

  it('refuses fields that would break the TSV', () => {
    expect(() => formatDatasetIndex([{ ...RECORDS[0], licence: 'a\tb' }])).toThrow(/tab or newline/u);
  });
});

describe('defaultCacheDir', () => {
  it('prefers ECOSIGHT_DATA_CACHE, else ~/.cache/ecosight/data', () => {
    expect(defaultCacheDir({ ECOSIGHT_DATA_CACHE: '/data/eco' }, '/home/u')).toBe('/data/eco');
    expect(defaultCacheDir({ ECOSIGHT_DATA_CACHE: '  ' }, '/home/u')).toBe('/home/u/.cache/ecosight/data');
    expect(defaultCacheDir({}, '/home/u')).toBe('/home/u/.cache/ecosight/data');
    expect(defaultCacheDir({ HOME: '/home/v' })).toBe('/home/v/.cache/ecosight/data');
  });
});
