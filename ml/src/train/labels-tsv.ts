import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { decodeWav } from '#shared/audio/wav-decode.js';
import type { LabelledRecording } from './evaluate.js';
import { TrainError } from './train-errors.js';

/** One row of an evaluation labels file. */
export interface LabelRow {
  /** As written in the file (relative paths are relative to the labels file). */
  path: string;
  startSec: number;
  endSec: number;
  /** A class name, or `none` for a file with no labelled sound. */
  label: string;
}

export const NO_EVENT_LABEL = 'none';

/**
 * Parses an evaluation labels TSV: `path<TAB>start_sec<TAB>end_sec<TAB>label`,
 * one labelled segment per line. Blank lines and lines starting with `#` are
 * ignored; a first line starting with `path` or `file` is a header. A row with
 * label `none` (times may be empty) only declares a file to evaluate (a
 * gunshot-free recording, say). Every listed file is evaluated over its whole
 * length, and classes not labelled in a file count as absent throughout it.
 * All problems are reported together.
 */
export function parseLabelsTsv(text: string, source: string, classes: readonly string[]): LabelRow[] {
  const rows: LabelRow[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const cells = line.split('\t');
    if (i === 0 && /^(path|file)/i.test(cells[0])) return;
    const where = `line ${i + 1}`;
    if (cells.length < 4) {
      problems.push(`${where}: expected 4 tab-separated fields (path, start_sec, end_sec, label), got ${cells.length}`);
      return;
    }
    const [path, start, end, rawLabel] = cells.map((c) => c.trim());
    const label = rawLabel === '' ? NO_EVENT_LABEL : rawLabel;
    if (path === '') problems.push(`${where}: empty path`);
    if (label !== NO_EVENT_LABEL && !classes.includes(label)) problems.push(`${where}: unknown label "${label}" (classes: ${classes.join(', ')}, or none)`);
    const startSec = start === '' && label === NO_EVENT_LABEL ? 0 : Number(start);
    const endSec = end === '' && label === NO_EVENT_LABEL ? 0 : Number(end);
    if (!Number.isFinite(startSec) || !Number.isFinite(endSec) || startSec < 0 || endSec < startSec) {
      problems.push(`${where}: bad times "${start}".."${end}" (need 0 <= start_sec <= end_sec)`);
      return;
    }
    rows.push({ path, startSec, endSec, label });
  });
  if (problems.length > 0) throw new TrainError(`${source}:\n  - ${problems.join('\n  - ')}`);
  if (rows.length === 0) throw new TrainError(`${source}: no label rows`);
  return rows;
}

/** Reads a labels TSV and decodes every file it names (16 kHz mono). */
export async function readLabelledRecordings(tsvPath: string, classes: readonly string[]): Promise<LabelledRecording[]> {
  const rows = parseLabelsTsv(await readFile(tsvPath, 'utf8'), tsvPath, classes);
  const byFile = new Map<string, LabelRow[]>();
  for (const row of rows) {
    const full = isAbsolute(row.path) ? row.path : resolve(dirname(tsvPath), row.path);
    byFile.set(full, [...(byFile.get(full) ?? []), row]);
  }
  const recordings: LabelledRecording[] = [];
  for (const [path, fileRows] of byFile) {
    let samples: Float32Array;
    try {
      samples = decodeWav(await readFile(path)).samples;
    } catch (err) {
      throw new TrainError(`cannot read ${path} (listed in ${tsvPath}): ${(err as Error).message}`, { cause: err });
    }
    recordings.push({
      path,
      samples,
      segments: fileRows.filter((r) => r.label !== NO_EVENT_LABEL).map((r) => ({ onsetSec: r.startSec, offsetSec: r.endSec, label: r.label })),
    });
  }
  return recordings;
}
