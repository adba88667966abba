import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAscContainer } from '#testkit/dataset-archives.js';
import { parseSourceList } from '../sources-file.js';
import { isSafeMemberPath, resolvePackageSources } from './resolve-sources.js';

const rows = (...lines: string[]) => parseSourceList(['package\tpath_in_package\tlabels\trole\tlicence\tnote', ...lines].join('\n'), 'test.tsv');

describe('resolvePackageSources with containers', () => {
  it('fails a member whose name would climb out of the cache, keeps the safe ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ecosight-resolve-'));
    try {
      const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
      await writeFile(join(root, 'main.ascdat'), writeAscContainer([
        { path: 'ok.ogg', bytes: enc('OggS ok') },
        { path: '../../../evil.ogg', bytes: enc('OggS evil') },
      ]));
      const all = await resolvePackageSources(rows('pkg\tmain.ascdat!**/*.ogg\t\ttrain\tMIT\t'), root);
      expect(all.problems).toEqual(['line 2: main.ascdat holds a member with an unsafe path "../../../evil.ogg"']);
      expect(all.files.map((f) => f.sourcePath)).toEqual(['main.ascdat!ok.ogg']);
      const safe = await resolvePackageSources(rows('pkg\tmain.ascdat!ok.ogg\tgunshot\ttrain\tMIT\t'), root);
      expect(safe.problems).toEqual([]);
      expect(safe.files.map((f) => [f.sourcePath, f.row.labels.join()])).toEqual([['main.ascdat!ok.ogg', 'gunshot']]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('judges member paths', () => {
    expect(['a.ogg', 'Fire.ocg/Blast1.wav', 'Gun Shot.raw', 'Thunder(L).raw'].every(isSafeMemberPath)).toBe(true);
    expect(['', '/etc/x', 'a/../b', '..', 'a//b', './a', 'a\\b', 'a\nb'].some(isSafeMemberPath)).toBe(false);
  });
});
