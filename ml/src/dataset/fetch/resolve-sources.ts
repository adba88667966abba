import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { globToRegExp, hasGlobSyntax } from '../path-glob.js';
import type { ArchiveEntry } from '../archives/archive-format.js';
import { archiveFormatFor } from '../archives/formats.js';
import { splitArchivePattern, type SourceRow } from '../sources-file.js';

/** Where a selected recording's bytes come from. */
export type SourceInput =
  | { kind: 'file'; path: string }
  | { kind: 'archive-member'; archivePath: string; entry: ArchiveEntry };

/** A file of one package chosen by the source list, with the row that decided its fate. */
export interface ResolvedFile {
  /** Path inside the package; `archive.pk3!member` for members of containers. */
  sourcePath: string;
  row: SourceRow;
  input: SourceInput;
}

export interface Resolution {
  files: ResolvedFile[];
  /** Rows that matched nothing (a stale source list) or archives that could not be read. */
  problems: string[];
}

/**
 * Applies one package's rows to its extracted tree. Rows apply in file order and
 * a later row overrides an earlier one for the same file, so a broad glob can be
 * followed by exceptions; `exclude` rows drop files. Symlinks are skipped: in
 * these packages they only duplicate real files. Output is sorted by path.
 */
export async function resolvePackageSources(rows: readonly SourceRow[], root: string): Promise<Resolution> {
  const problems: string[] = [];
  const files = await listRegularFiles(root);
  const fileSet = new Set(files);
  // Containers are read once per package and stay in memory until its files are converted.
  const archives = new Map<string, ArchiveEntry[] | null>();
  const chosen = new Map<string, { row: SourceRow; input: SourceInput }>();
  for (const row of rows) {
    const { archive, member } = splitArchivePattern(row.pathPattern);
    let matches: Array<{ sourcePath: string; input: SourceInput }>;
    if (archive === undefined) {
      matches = matchPaths(member, files, fileSet).map((p) => ({ sourcePath: p, input: { kind: 'file', path: join(root, p) } }));
    } else {
      const members = await loadArchive(archives, root, archive, fileSet, problems, row.line);
      if (members === null) continue;
      const re = globToRegExp(member);
      const matched = members.filter((m) => re.test(m.path));
      // Member names come from inside a file, not from the file system: one that could climb
      // out of the WAV cache (`..`, absolute, backslashes) fails the package instead.
      const unsafe = matched.filter((m) => !isSafeMemberPath(m.path));
      for (const m of unsafe) problems.push(`line ${row.line}: ${archive} holds a member with an unsafe path ${JSON.stringify(m.path)}`);
      matches = matched
        .filter((m) => isSafeMemberPath(m.path))
        .map((m) => ({ sourcePath: `${archive}!${m.path}`, input: { kind: 'archive-member', archivePath: join(root, archive), entry: m } }));
      if (unsafe.length > 0 && matches.length === 0) continue;
    }
    if (matches.length === 0) problems.push(`line ${row.line}: "${row.pathPattern}" matched no file`);
    for (const m of matches) chosen.set(m.sourcePath, { row, input: m.input });
  }
  const resolved = [...chosen.entries()]
    .filter(([, v]) => v.row.role !== 'exclude')
    .map(([sourcePath, v]) => ({ sourcePath, row: v.row, input: v.input }))
    .sort((a, b) => compareStrings(a.sourcePath, b.sourcePath));
  return { files: resolved, problems };
}

function matchPaths(pattern: string, files: readonly string[], fileSet: ReadonlySet<string>): string[] {
  if (!hasGlobSyntax(pattern)) return fileSet.has(pattern) ? [pattern] : [];
  const re = globToRegExp(pattern);
  return files.filter((f) => re.test(f));
}

async function loadArchive(
  cache: Map<string, ArchiveEntry[] | null>, root: string, archive: string, fileSet: ReadonlySet<string>,
  problems: string[], line: number,
): Promise<ArchiveEntry[] | null> {
  if (!cache.has(archive)) {
    const format = archiveFormatFor(archive);
    if (!format) {
      problems.push(`line ${line}: no reader for the container ${archive}`);
      cache.set(archive, null);
    } else if (!fileSet.has(archive)) {
      problems.push(`line ${line}: archive ${archive} is not in the package`);
      cache.set(archive, null);
    } else {
      try {
        cache.set(archive, format.list(new Uint8Array(await readFile(join(root, archive)))));
      } catch (err) {
        problems.push(`line ${line}: cannot read archive ${archive}: ${(err as Error).message}`);
        cache.set(archive, null);
      }
    }
  }
  return cache.get(archive) ?? null;
}

/** A relative `/`-separated path without empty, `.` or `..` segments, backslashes or control characters. */
export function isSafeMemberPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || [...path].some((c) => c.charCodeAt(0) < 0x20)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Relative paths of regular files under root (sorted, `/`-separated). */
async function listRegularFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) await walk(join(dir, e.name), rel);
      else if (e.isFile()) out.push(rel);
    }
  };
  if ((await lstat(root)).isDirectory()) await walk(root, '');
  return out.sort(compareStrings);
}

/** Code-unit order, independent of the locale, so the index is byte-identical everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
