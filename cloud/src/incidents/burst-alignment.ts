/**
 * In a burst, stations do not all hear (or detect) the same first shot: one
 * station's first onset may be another's third. Locating with those would mix
 * shots 0.1-1 s apart. But the intervals between shots are the same at every
 * station (same shooter, same path), so one station's onset list shifted by
 * its time difference of arrival lines up with another's. We find that shift
 * by matching the two lists, and use "the reference's first shot as heard
 * here" (averaged over every matched pair) as the station's onset.
 */
export interface OnsetList {
  id: string;
  /** Onsets, epoch ms, ascending. */
  onsetsMs: number[];
  /** Largest plausible |shift| from the reference, ms (travel time + clock errors). */
  maxShiftMs: number;
}

/** Two onsets of the same shot at two stations agree to this after the shift, ms (onset picking jitter). */
const MATCH_TOLERANCE_MS = 2;

/**
 * Per station, its onset for the reference station's first shot: shifted
 * onsets when at least two shots match, else its own first onset.
 */
export function alignBurstOnsets(lists: readonly OnsetList[]): Map<string, number> {
  const out = new Map<string, number>();
  if (lists.length === 0) return out;
  // The reference is the station that heard the most shots (then the earliest).
  const ref = [...lists].sort((a, b) => b.onsetsMs.length - a.onsetsMs.length || a.onsetsMs[0] - b.onsetsMs[0])[0];
  for (const list of lists) {
    if (list === ref) {
      out.set(list.id, ref.onsetsMs[0]);
      continue;
    }
    const shift = bestShift(ref.onsetsMs, list.onsetsMs, list.maxShiftMs);
    out.set(list.id, shift === undefined ? list.onsetsMs[0] : ref.onsetsMs[0] + shift);
  }
  return out;
}

/** The shift s (station minus reference) matching the most onset pairs (at least 2), refined by their mean. */
function bestShift(ref: readonly number[], other: readonly number[], maxShiftMs: number): number | undefined {
  if (ref.length < 2 || other.length < 2) return undefined;
  let best: { count: number; spread: number; shift: number } | undefined;
  for (const a of other) {
    for (const b of ref) {
      const candidate = a - b;
      if (Math.abs(candidate) > maxShiftMs) continue;
      const diffs: number[] = [];
      for (const x of other) {
        const nearest = ref.reduce((n, y) => (Math.abs(x - y - candidate) < Math.abs(x - n - candidate) ? y : n), ref[0]);
        if (Math.abs(x - nearest - candidate) <= MATCH_TOLERANCE_MS) diffs.push(x - nearest);
      }
      if (diffs.length < 2) continue;
      const shift = diffs.reduce((s, d) => s + d, 0) / diffs.length;
      const spread = diffs.reduce((s, d) => s + (d - shift) ** 2, 0);
      if (!best || diffs.length > best.count || (diffs.length === best.count && spread < best.spread)) best = { count: diffs.length, spread, shift };
    }
  }
  return best?.shift;
}
