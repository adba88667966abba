import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathUnder } from '#shared/util/safe-name.js';
import { archiveSeparatorIndex } from '../archives/formats.js';
import type { PackageFailure } from '../dataset-error.js';
import { formatDatasetIndex, INDEX_FILE_NAME, type IndexRecord } from '../index-file.js';
import type { SourceRow } from '../sources-file.js';
import { convertToWav } from './convert-wav.js';
import { ensureDeb, ensureExtracted, type DebDownloader } from './deb-cache.js';
import { dedupeIndexRecords, DUPLICATES_FILE_NAME, formatDuplicates } from './dedupe-index.js';
import { compareStrings, resolvePackageSources, type ResolvedFile } from './resolve-sources.js';

/** A parsed source list and the split its packages feed. */
export interface SourceList {
  rows: readonly SourceRow[];
  split: 'train' | 'eval';
}

export interface FetchOptions {
  cacheDir: string;
  lists: readonly SourceList[];
  downloader: DebDownloader;
  /** Parallel sox conversions. Default 2. */
  jobs?: number;
  onEvent?: (event: FetchEvent) => void;
}

export type FetchEvent =
  | { type: 'package-start'; package: string; split: 'train' | 'eval' }
  | { type: 'downloaded'; package: string; debPath: string }
  | { type: 'extracted'; package: string; dir: string }
  | { type: 'file-skipped'; package: string; sourcePath: string; reason: string }
  | { type: 'package-done'; report: PackageReport }
  | { type: 'package-failed'; failure: PackageFailure };

export interface PackageReport {
  package: string;
  split: 'train' | 'eval';
  debPath: string;
  downloaded: boolean;
  extracted: boolean;
  /** Files in the index from this package. */
  files: number;
  converted: number;
  cached: number;
  /** Files sox could not read (reported, left out of the index). */
  skipped: number;
  durationSec: number;
}

export interface SkippedFile {
  package: string;
  sourcePath: string;
  reason: string;
}

export interface FetchReport {
  records: IndexRecord[];
  packages: PackageReport[];
  skipped: SkippedFile[];
  /** Second copies of a recording (found by audio content) left out of the index. */
  duplicates: Array<{ dropped: IndexRecord; keptAs: IndexRecord }>;
  failures: PackageFailure[];
  indexPath: string;
  /** False when the index already had exactly this content (or was not written because of failures). */
  indexWritten: boolean;
}

/**
 * Downloads, extracts and converts every package named by the lists, drops
 * second copies of a recording (by audio content, listed in
 * `<cache>/duplicates.tsv`), then writes `<cache>/index.tsv`. Each step is skipped when its output is already
 * in the cache, so a second run downloads and converts nothing and writes an
 * identical index. A failing package is reported (and the index left as it
 * was) rather than thrown, so one run reports every broken package at once.
 */
export async function fetchDataset(options: FetchOptions): Promise<FetchReport> {
  const { cacheDir } = options;
  const emit = options.onEvent ?? (() => undefined);
  const plan = planPackages(options.lists);
  await mkdir(cacheDir, { recursive: true });
  const records: IndexRecord[] = [];
  const report: FetchReport = {
    records, packages: [], skipped: [], duplicates: [], failures: [...plan.failures], indexPath: join(cacheDir, INDEX_FILE_NAME),
    indexWritten: false,
  };
  for (const pkg of plan.packages) {
    emit({ type: 'package-start', package: pkg.name, split: pkg.split });
    try {
      const done = await fetchPackage(cacheDir, pkg, options, emit);
      records.push(...done.records);
      report.skipped.push(...done.skipped);
      report.packages.push(done.report);
      emit({ type: 'package-done', report: done.report });
    } catch (err) {
      const failure = { package: pkg.name, reason: (err as Error).message };
      report.failures.push(failure);
      emit({ type: 'package-failed', failure });
    }
  }
  records.sort(compareRecords);
  if (report.failures.length > 0) return report;
  const { kept, dropped } = await dedupeIndexRecords(cacheDir, records);
  report.records = kept.sort(compareRecords);
  report.duplicates = dropped;
  await writeIfChanged(join(cacheDir, DUPLICATES_FILE_NAME), formatDuplicates(dropped));
  report.indexWritten = await writeIfChanged(report.indexPath, formatDatasetIndex(report.records));
  return report;
}

interface PlannedPackage {
  name: string;
  split: 'train' | 'eval';
  rows: SourceRow[];
}

function planPackages(lists: readonly SourceList[]): { packages: PlannedPackage[]; failures: PackageFailure[] } {
  const byName = new Map<string, PlannedPackage>();
  const failures: PackageFailure[] = [];
  for (const list of lists) {
    for (const row of list.rows) {
      const known = byName.get(row.package);
      if (!known) byName.set(row.package, { name: row.package, split: list.split, rows: [row] });
      else if (known.split === list.split) known.rows.push(row);
      else if (!failures.some((f) => f.package === row.package)) {
        failures.push({ package: row.package, reason: 'listed for both training and evaluation; a package may feed only one' });
      }
    }
  }
  const bad = new Set(failures.map((f) => f.package));
  return { packages: [...byName.values()].filter((p) => !bad.has(p.name)), failures };
}

async function fetchPackage(
  cacheDir: string, pkg: PlannedPackage, options: FetchOptions, emit: (e: FetchEvent) => void,
): Promise<{ records: IndexRecord[]; skipped: SkippedFile[]; report: PackageReport }> {
  const deb = await ensureDeb(cacheDir, pkg.name, options.downloader).catch((err: Error) => {
    throw new Error(`download failed: ${err.message}`);
  });
  if (deb.downloaded) emit({ type: 'downloaded', package: pkg.name, debPath: deb.debPath });
  const extracted = await ensureExtracted(cacheDir, pkg.name, deb.debPath).catch((err: Error) => {
    throw new Error(`extracting ${deb.debPath} failed: ${err.message}`);
  });
  if (extracted.extracted) emit({ type: 'extracted', package: pkg.name, dir: extracted.dir });
  const resolution = await resolvePackageSources(pkg.rows, extracted.dir);
  if (resolution.problems.length > 0) {
    throw new Error(`the source list does not match the package contents:\n      ${resolution.problems.join('\n      ')}`);
  }
  const extractedAtMs = (await stat(`${extracted.dir}.extracted`)).mtimeMs;
  const report: PackageReport = {
    package: pkg.name, split: pkg.split, debPath: deb.debPath, downloaded: deb.downloaded, extracted: extracted.extracted,
    files: 0, converted: 0, cached: 0, skipped: 0, durationSec: 0,
  };
  const records: IndexRecord[] = [];
  const skipped: SkippedFile[] = [];
  await runPool(resolution.files, options.jobs ?? 2, async (file) => {
    const wav = wavPathFor(pkg.name, file.sourcePath);
    const stampMs = Math.max(extractedAtMs, await sourceMtimeMs(file));
    const result = await convertToWav(file.input, pathUnder(cacheDir, wav), stampMs);
    if (result.status === 'failed' || result.durationSec === undefined) {
      const reason = result.error ?? 'conversion failed';
      skipped.push({ package: pkg.name, sourcePath: file.sourcePath, reason });
      report.skipped += 1;
      emit({ type: 'file-skipped', package: pkg.name, sourcePath: file.sourcePath, reason });
      return;
    }
    report[result.status === 'converted' ? 'converted' : 'cached'] += 1;
    records.push({
      wav, package: pkg.name, sourcePath: file.sourcePath, labels: [...file.row.labels], licence: file.row.licence,
      durationSec: result.durationSec, role: file.row.role === 'background' ? 'background' : 'train', split: pkg.split,
    });
  });
  report.files = records.length;
  report.durationSec = records.reduce((s, r) => s + r.durationSec, 0);
  skipped.sort((a, b) => compareStrings(a.sourcePath, b.sourcePath));
  return { records, skipped, report };
}

/** `wav/<package>/<path inside package>.wav`; a container's member becomes a subpath of the container. */
export function wavPathFor(pkg: string, sourcePath: string): string {
  const at = archiveSeparatorIndex(sourcePath);
  const path = at < 0 ? sourcePath : `${sourcePath.slice(0, at)}/${sourcePath.slice(at + 1)}`;
  return `wav/${pkg}/${path}.wav`;
}

async function sourceMtimeMs(file: ResolvedFile): Promise<number> {
  const path = file.input.kind === 'file' ? file.input.path : file.input.archivePath;
  return (await stat(path)).mtimeMs;
}

async function runPool<T>(items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}

function compareRecords(a: IndexRecord, b: IndexRecord): number {
  if (a.split !== b.split) return a.split === 'train' ? -1 : 1;
  return compareStrings(a.package, b.package) || compareStrings(a.sourcePath, b.sourcePath);
}

async function writeIfChanged(path: string, text: string): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return false;
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return true;
}
