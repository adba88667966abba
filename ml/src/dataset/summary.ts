import { CLASS_NAMES } from './classes.js';
import type { IndexRecord } from './index-file.js';

type Split = 'train' | 'eval';
export type SummaryRecord = Pick<IndexRecord, 'package' | 'labels' | 'durationSec' | 'role' | 'split'>;

export interface Tally {
  files: number;
  durationSec: number;
}

export interface ClassSummary {
  /** A class name, or `(no label)` for hard negatives. */
  name: string;
  bySplit: Record<Split, Tally>;
}

export interface PackageSummary {
  package: string;
  split: Split;
  total: Tally;
  /** Files with at least one label. */
  labelled: number;
  background: number;
}

export interface DatasetSummary {
  classes: ClassSummary[];
  packages: PackageSummary[];
  totals: Record<Split, Tally>;
}

export const NO_LABEL = '(no label)';

/** Per-class (a file counts once for each of its labels) and per-package counts and durations. */
export function summarizeDataset(records: readonly SummaryRecord[]): DatasetSummary {
  const empty = (): Record<Split, Tally> => ({ train: { files: 0, durationSec: 0 }, eval: { files: 0, durationSec: 0 } });
  const classes = new Map<string, Record<Split, Tally>>([...CLASS_NAMES, NO_LABEL].map((c) => [c, empty()]));
  const packages = new Map<string, PackageSummary>();
  const totals = empty();
  for (const r of records) {
    add(totals[r.split], r.durationSec);
    for (const name of r.labels.length > 0 ? r.labels : [NO_LABEL]) add(classes.get(name)![r.split], r.durationSec);
    const key = `${r.split}\t${r.package}`;
    let p = packages.get(key);
    if (!p) {
      p = { package: r.package, split: r.split, total: { files: 0, durationSec: 0 }, labelled: 0, background: 0 };
      packages.set(key, p);
    }
    add(p.total, r.durationSec);
    if (r.labels.length > 0) p.labelled += 1;
    if (r.role === 'background') p.background += 1;
  }
  return {
    classes: [...classes.entries()].map(([name, bySplit]) => ({ name, bySplit })),
    packages: [...packages.values()].sort((a, b) => (a.split === b.split ? (a.package < b.package ? -1 : 1) : a.split === 'train' ? -1 : 1)),
    totals,
  };
}

/** Plain-text tables for the terminal. */
export function formatSummary(summary: DatasetSummary): string {
  const classRows = summary.classes.map((c) => [
    c.name, String(c.bySplit.train.files), minutes(c.bySplit.train.durationSec), String(c.bySplit.eval.files), minutes(c.bySplit.eval.durationSec),
  ]);
  classRows.push(['total files', String(summary.totals.train.files), minutes(summary.totals.train.durationSec),
    String(summary.totals.eval.files), minutes(summary.totals.eval.durationSec)]);
  const packageRows = summary.packages.map((p) => [
    p.package, p.split, String(p.total.files), minutes(p.total.durationSec), String(p.labelled), String(p.background),
  ]);
  return [
    'Per class (a file counts once per label):',
    table(['class', 'train files', 'train min', 'eval files', 'eval min'], classRows),
    '',
    'Per package:',
    table(['package', 'split', 'files', 'minutes', 'labelled', 'background'], packageRows),
  ].join('\n');
}

function add(t: Tally, durationSec: number): void {
  t.files += 1;
  t.durationSec += durationSec;
}

function minutes(sec: number): string {
  return (sec / 60).toFixed(1);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
