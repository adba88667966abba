import { durationsClose, isSameRecording, type AudioFingerprint, type DuplicateCriteria, DEFAULT_DUPLICATE_CRITERIA } from './fingerprint.js';

export interface Fingerprinted<R> {
  record: R;
  fingerprint: AudioFingerprint;
}

export interface DroppedDuplicate<R> {
  dropped: R;
  /** The copy that stays. */
  keptAs: R;
}

/**
 * Keeps one copy of each recording. Copies are found by content (fingerprints
 * whose trimmed durations are close are compared pairwise) and grouped
 * transitively, so a chain of near-copies also ends up as one recording; in each
 * group the copy `prefer` ranks first stays. Because every other copy leaves the
 * list, no split of the result (by package or otherwise) can put one recording
 * on both sides.
 */
export function dedupeRecordings<R>(
  items: ReadonlyArray<Fingerprinted<R>>, prefer: (a: R, b: R) => number, criteria: DuplicateCriteria = DEFAULT_DUPLICATE_CRITERIA,
): { kept: R[]; dropped: Array<DroppedDuplicate<R>> } {
  const order = items.map((_, i) => i).sort((a, b) => items[a].fingerprint.trimmedSec - items[b].fingerprint.trimmedSec);
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (let x = 0; x < order.length; x += 1) {
    const a = items[order[x]].fingerprint;
    for (let y = x + 1; y < order.length; y += 1) {
      const b = items[order[y]].fingerprint;
      if (!durationsClose(a.trimmedSec, b.trimmedSec, criteria)) break; // sorted: later ones are longer still
      if (isSameRecording(a, b, criteria)) parent[find(order[y])] = find(order[x]);
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const root = find(i);
    const members = groups.get(root);
    if (members) members.push(i);
    else groups.set(root, [i]);
  });
  const keptIndex = new Set<number>();
  const dropped: Array<DroppedDuplicate<R>> = [];
  for (const members of groups.values()) {
    const ranked = [...members].sort((a, b) => prefer(items[a].record, items[b].record) || a - b);
    keptIndex.add(ranked[0]);
    for (const other of ranked.slice(1)) dropped.push({ dropped: items[other].record, keptAs: items[ranked[0]].record });
  }
  return { kept: items.filter((_, i) => keptIndex.has(i)).map((it) => it.record), dropped };
}
