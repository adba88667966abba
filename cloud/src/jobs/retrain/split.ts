import { createHash } from 'node:crypto';
import type { LabelledOriginal } from './ports.js';
import { stableName } from './stable-name.js';

export interface Split<T> {
  train: T[];
  valid: T[];
  eval: T[];
}

export interface SplitOptions {
  /** Share of each class's originals held out for the gate's evaluation. */
  evalFraction: number;
  /** Share of the remaining originals used for early stopping and thresholds. */
  validFraction: number;
  seed: string;
}

/**
 * Splits by original, per class, deterministically (hash of seed + the
 * original's stableName: an upload's class and file name without the upload
 * time, a station clip's key), so the same data always splits the same way, also
 * when it was uploaded again at another time, and augmented copies (made later, from
 * training originals only) never reach valid or eval. A class with at least two
 * originals always has one in eval; one with at least three training originals
 * always has one in valid.
 */
export function splitByOriginal<T extends LabelledOriginal>(originals: readonly T[], options: SplitOptions): Split<T> {
  const byClass = new Map<string, T[]>();
  for (const o of originals) byClass.set(o.label, [...(byClass.get(o.label) ?? []), o]);
  const out: Split<T> = { train: [], valid: [], eval: [] };
  for (const label of [...byClass.keys()].sort()) {
    // Each original's rank is hashed once, not at every comparison of the sort.
    const items = (byClass.get(label) ?? [])
      .map((o) => ({ o, rank: rank(options.seed, o) }))
      .sort((a, b) => a.rank.localeCompare(b.rank) || (a.o.id < b.o.id ? -1 : a.o.id > b.o.id ? 1 : 0))
      .map(({ o }) => o);
    const nEval = items.length >= 2 ? Math.max(1, Math.round(items.length * options.evalFraction)) : 0;
    const rest = items.length - nEval;
    const nValid = rest >= 3 ? Math.max(1, Math.round(rest * options.validFraction)) : 0;
    out.eval.push(...items.slice(0, nEval));
    out.valid.push(...items.slice(nEval, nEval + nValid));
    out.train.push(...items.slice(nEval + nValid));
  }
  return out;
}

function rank(seed: string, o: Pick<LabelledOriginal, 'id' | 'key'>): string {
  return createHash('sha256').update(`${seed}\n${stableName(o)}`).digest('hex');
}
