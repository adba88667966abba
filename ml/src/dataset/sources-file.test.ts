import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from './classes.js';
import { DatasetFileError } from './dataset-error.js';
import { parseSourceList, readSourceList, splitArchivePattern } from './sources-file.js';
import { TRAINING_PACKAGES } from './training-packages.js';

const HEADER = 'package\tpath_in_package\tlabels\trole\tlicence\tnote';
const tsv = (...rows: string[][]): string => [HEADER, ...rows.map((r) => r.join('\t'))].join('\n');

function problemsOf(text: string, policy = {}): string[] {
  try {
    parseSourceList(text, 'test.tsv', policy);
  } catch (err) {
    if (err instanceof DatasetFileError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('parseSourceList', () => {
  it('parses rows, skipping comments and blank lines, keeping line numbers', () => {
    const text = ['# a comment', HEADER, '', '# group', 'btanks-data\tusr/share/x/*.ogg\tgunshot, explosion\ttrain\tGPL-2\tshots',
      'btanks-data\tusr/share/x/y.ogg\t\texclude\tGPL-2\t'].join('\n');
    const rows = parseSourceList(text, 'test.tsv');
    expect(rows).toEqual([
      { package: 'btanks-data', pathPattern: 'usr/share/x/*.ogg', labels: ['gunshot', 'explosion'], role: 'train', licence: 'GPL-2', note: 'shots', line: 5 },
      { package: 'btanks-data', pathPattern: 'usr/share/x/y.ogg', labels: [], role: 'exclude', licence: 'GPL-2', note: '', line: 6 },
    ]);
  });

  it('accepts the columns in any order', () => {
    const text = 'labels\tpackage\tnote\tlicence\trole\tpath_in_package\nbird\tfoo\t\tCC0-1.0\tbackground\ta/b.wav';
    expect(parseSourceList(text, 't')[0]).toMatchObject({ package: 'foo', labels: ['bird'], role: 'background', pathPattern: 'a/b.wav' });
  });

  it('reports every problem at once, with line numbers', () => {
    const problems = problemsOf(tsv(
      ['btanks-data', 'a/x.ogg', 'gunshot,laser', 'train', 'GPL-2', ''],
      ['btanks-data', 'a/y.ogg', 'bird,bird', 'train', 'GPL-2', ''],
      ['btanks-data', 'a/z.ogg', '', 'keep', '', ''],
      ['Not_A_Package', '/abs/path.ogg', '', 'train', 'MIT', ''],
      ['btanks-data', 'a/../../etc/passwd', '', 'train', 'MIT', ''],
      ['btanks-data', 'a/w.ogg', 'bird', 'exclude', 'MIT', ''],
      ['btanks-data', 'a/{x.ogg', '', 'train', 'MIT', ''],
      ['btanks-data', 'a/x.ogg', '', 'train', 'MIT', ''],
      ['btanks-data', 'too', 'few'],
    ));
    expect(problems).toEqual([
      'line 2: unknown class "laser"',
      'line 3: class "bird" listed twice',
      'line 4: role "keep" must be train, background or exclude',
      'line 4: licence is empty',
      'line 5: "Not_A_Package" is not a Debian package name',
      'line 5: "/abs/path.ogg" must be a relative path inside the package (no leading "/", "./" or "..")',
      'line 6: "a/../../etc/passwd" must be a relative path inside the package (no leading "/", "./" or "..")',
      'line 7: an exclude row cannot carry labels',
      'line 8: glob "a/{x.ogg": "{" without "}"',
      'line 9: same package and path as line 2',
      'line 10: expected 6 tab-separated fields, found 3',
    ]);
  });

  it('enforces the package policy of each list', () => {
    const row = (pkg: string): string[] => [pkg, 'a.ogg', '', 'train', 'MIT', ''];
    expect(problemsOf(tsv(row('btanks-data'), row('teeworlds-data')), { allowedPackages: TRAINING_PACKAGES }))
      .toEqual(['line 3: package teeworlds-data is not in the allowed list for this file']);
    expect(problemsOf(tsv(row('btanks-data'), row('teeworlds-data')), { forbiddenPackages: TRAINING_PACKAGES }))
      .toEqual(['line 2: package btanks-data may not be used in this file']);
  });

  it('checks the header', () => {
    expect(problemsOf('package\tpath\tlabels\trole\tlicence\tnote\tcolour\n')).toEqual([
      'header: missing [path_in_package], unknown [path, colour]; expected package, path_in_package, labels, role, licence, note',
    ]);
    expect(problemsOf('# only a comment\n')).toEqual(['no header line (expected: package, path_in_package, labels, role, licence, note)']);
  });

  it('understands archive members but only after ".rcc!"', () => {
    expect(splitArchivePattern('usr/a.rcc!gcompris/x/*.ogg')).toEqual({ archive: 'usr/a.rcc', member: 'gcompris/x/*.ogg' });
    expect(splitArchivePattern('usr/lmms/samples/misc/bass!.ogg')).toEqual({ member: 'usr/lmms/samples/misc/bass!.ogg' });
    expect(problemsOf(tsv(['gcompris-qt-data', 'usr/*.rcc!a/b.ogg', '', 'train', 'GPL-3+', '']))).toEqual([
      'line 2: the archive path before "!" must be exact (no glob)',
    ]);
  });
});

describe('the committed source lists', () => {
  const sourcesPath = fileURLToPath(new URL('../../../data/sources.tsv', import.meta.url));
  const evalPath = fileURLToPath(new URL('../../../data/eval-sources.tsv', import.meta.url));

  it('data/sources.tsv only uses the training packages, known classes and named licences', async () => {
    const rows = await readSourceList(sourcesPath, { allowedPackages: TRAINING_PACKAGES });
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) {
      expect(TRAINING_PACKAGES.has(row.package)).toBe(true);
      expect(row.licence.trim()).not.toBe('');
      for (const label of row.labels) expect(CLASS_NAMES).toContain(label);
    }
    // Every training package contributes, and the source list covers the gunshot class.
    expect(new Set(rows.map((r) => r.package))).toEqual(new Set(TRAINING_PACKAGES));
    expect(rows.some((r) => r.labels.includes('gunshot'))).toBe(true);
  });

  it('data/eval-sources.tsv uses no training package', async () => {
    const rows = await readSourceList(evalPath, { forbiddenPackages: TRAINING_PACKAGES });
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(TRAINING_PACKAGES.has(row.package)).toBe(false);
      expect(row.licence.trim()).not.toBe('');
      for (const label of row.labels) expect(CLASS_NAMES).toContain(label);
    }
    expect(rows.some((r) => r.labels.includes('gunshot'))).toBe(true);
  });
});
