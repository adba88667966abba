import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { isClassName, type ClassName } from './classes.js';
import { DatasetFileError } from './dataset-error.js';

/** One converted recording listed in `<cache>/index.tsv`. */
export interface DatasetEntry {
  /** Absolute path of the 16 kHz mono 16-bit WAV. */
  wavPath: string;
  /** Debian package the recording came from (validation splits by package). */
  package: string;
  /** Path inside the package (`archive.rcc!member` for files inside Qt resources). */
  sourcePath: string;
  /** Classes present somewhere in the file; empty for hard negatives. */
  labels: ClassName[];
  licence: string;
  durationSec: number;
  /** `background`: an ambient bed training may mix gunshots into (it keeps its labels). */
  role: 'train' | 'background';
  /** `train`: training/validation packages; `eval`: reserved independent evaluation packages. */
  split: 'train' | 'eval';
}

/** An index row as stored: the WAV path is relative to the cache directory. */
export interface IndexRecord extends Omit<DatasetEntry, 'wavPath'> {
  wav: string;
}

export const INDEX_FILE_NAME = 'index.tsv';
export const INDEX_COLUMNS = ['wav', 'package', 'source_path', 'labels', 'licence', 'duration_sec', 'role', 'split'] as const;

/** `ECOSIGHT_DATA_CACHE`, else `~/.cache/ecosight/data` (outside the repository). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = env.HOME || homedir()): string {
  const fromEnv = env.ECOSIGHT_DATA_CACHE?.trim();
  if (fromEnv) return resolve(fromEnv);
  return join(home, '.cache', 'ecosight', 'data');
}

/** Reads `<cacheDir>/index.tsv` (written by `npm run data:fetch`). */
export async function readDatasetIndex(cacheDir: string): Promise<DatasetEntry[]> {
  const path = join(cacheDir, INDEX_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetFileError(path, ['file not found: run `npm run data:fetch` first (or pass the right cache directory)']);
    }
    throw err;
  }
  return parseDatasetIndex(text, cacheDir, path);
}

export function parseDatasetIndex(text: string, cacheDir: string, origin = INDEX_FILE_NAME): DatasetEntry[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== INDEX_COLUMNS.join('\t')) {
    throw new DatasetFileError(origin, [`line 1: header must be "${INDEX_COLUMNS.join('\\t')}"`]);
  }
  const entries: DatasetEntry[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const record = parseRecord(lines[i], i + 1, problems);
    if (record) {
      const { wav, ...rest } = record;
      entries.push({ wavPath: resolve(cacheDir, wav), ...rest });
    }
  }
  if (problems.length > 0) throw new DatasetFileError(origin, problems);
  return entries;
}

/** Serializes records (in the given order) with the header; the inverse of parseDatasetIndex. */
export function formatDatasetIndex(records: readonly IndexRecord[]): string {
  const lines = [INDEX_COLUMNS.join('\t')];
  for (const r of records) {
    const fields = [r.wav, r.package, r.sourcePath, r.labels.join(','), r.licence, r.durationSec.toFixed(3), r.role, r.split];
    const bad = fields.find((f) => /[\t\n\r]/u.test(f));
    if (bad !== undefined) throw new Error(`index field contains a tab or newline: ${JSON.stringify(bad)}`);
    lines.push(fields.join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

function parseRecord(line: string, lineNo: number, problems: string[]): IndexRecord | undefined {
  const f = line.split('\t');
  if (f.length !== INDEX_COLUMNS.length) {
    problems.push(`line ${lineNo}: expected ${INDEX_COLUMNS.length} fields, found ${f.length}`);
    return undefined;
  }
  const [wav, pkg, sourcePath, labelField, licence, duration, role, split] = f;
  const before = problems.length;
  if (wav === '' || isAbsolute(wav) || wav.split('/').includes('..')) problems.push(`line ${lineNo}: wav must be a path inside the cache`);
  if (pkg === '' || sourcePath === '' || licence === '') problems.push(`line ${lineNo}: package, source_path and licence must not be empty`);
  const labels = labelField === '' ? [] : labelField.split(',');
  const unknown = labels.filter((l) => !isClassName(l));
  if (unknown.length > 0) problems.push(`line ${lineNo}: unknown class(es) ${unknown.join(', ')}`);
  const durationSec = Number(duration);
  if (duration === '' || !Number.isFinite(durationSec) || durationSec < 0) problems.push(`line ${lineNo}: bad duration_sec "${duration}"`);
  if (role !== 'train' && role !== 'background') problems.push(`line ${lineNo}: role must be train or background`);
  if (split !== 'train' && split !== 'eval') problems.push(`line ${lineNo}: split must be train or eval`);
  if (problems.length > before) return undefined;
  return {
    wav, package: pkg, sourcePath, labels: labels as ClassName[], licence, durationSec,
    role: role as IndexRecord['role'], split: split as IndexRecord['split'],
  };
}
