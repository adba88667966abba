import type { Random } from '#shared/util/random.js';
import type { PatchSet } from './patch-set.js';
import type { SamplingOptions } from './types.js';

/** A weighted choice among sub-lists of patch indices. */
interface Pool {
  cumulative: number[];
  members: Int32Array[];
}

/**
 * Draws training patches so rare classes and small sources are seen often
 * enough. A batch slot first picks a stratum (one per class with positives,
 * plus "no label"), then a group inside it (a package, or a synthetic set),
 * then a patch. Negatives get a fixed share because most real audio holds none
 * of the classes and false alarms are what a station operator notices first;
 * the positive share is split across classes by size^0.5. Inside a stratum,
 * groups are weighted by size^0.3, so 23 real recordings of gunshots are not
 * drowned by 4,000 synthetic ones (or one package's voices by another's).
 * `classBoost` multiplies a class's stratum weight (the gunshot class and its
 * look-alikes can be drawn more often than their size alone would give).
 */
export class BalancedSampler {
  private readonly strata: Pool;
  private readonly groups: Pool[];
  private readonly rand: Random;
  private hard: { members: Int32Array; share: number } | undefined;

  constructor(set: PatchSet, rand: Random, options: SamplingOptions = {}) {
    const { negativeShare = 0.55, classExponent = 0.5, groupExponent = 0.3, classBoost = {} } = options;
    for (const [name, boost] of Object.entries(classBoost)) {
      if (!set.classes.includes(name)) throw new RangeError(`class boost names an unknown class: ${name}`);
      if (!(boost > 0) || !Number.isFinite(boost)) throw new RangeError(`class boost for ${name} must be a positive number, got ${boost}`);
    }
    this.rand = rand;
    const byClass: Map<string, number[]>[] = set.classes.map(() => new Map());
    const negatives = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, key: string, i: number) => {
      const list = m.get(key);
      if (list) list.push(i);
      else m.set(key, [i]);
    };
    for (let i = 0; i < set.count; i++) {
      const labels = set.labels(i);
      const group = set.clipGroups[set.clipOf(i)] ?? '';
      let any = false;
      for (let k = 0; k < labels.length; k++) {
        if (labels[k]) {
          push(byClass[k], group, i);
          any = true;
        }
      }
      if (!any) push(negatives, group, i);
    }
    const positiveIndex = set.classes.map((_, k) => k).filter((k) => byClass[k].size > 0);
    const positive = positiveIndex.map((k) => byClass[k]);
    const size = (m: Map<string, number[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
    const posShare = negatives.size === 0 ? 1 : positive.length === 0 ? 0 : 1 - negativeShare;
    const classWeights = positive.map((m, j) => size(m) ** classExponent * (classBoost[set.classes[positiveIndex[j]]] ?? 1));
    const total = classWeights.reduce((a, b) => a + b, 0);
    const stratumWeights = [...classWeights.map((w) => (posShare * w) / total), ...(negatives.size > 0 ? [1 - posShare] : [])];
    const strata = [...positive, ...(negatives.size > 0 ? [negatives] : [])];
    this.strata = pool(strata.map((_, s) => Int32Array.of(s)), stratumWeights);
    this.groups = strata.map((m) => {
      const lists = [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => Int32Array.from(l));
      return pool(lists, lists.map((l) => l.length ** groupExponent));
    });
  }

  /**
   * From now on, `share` of the draws come uniformly from `members` (mined hard
   * negatives); an empty list turns the pool off.
   */
  setHardPool(members: Int32Array, share: number): void {
    if (!(share >= 0 && share < 1)) throw new RangeError(`hard-negative share must be in [0, 1), got ${share}`);
    this.hard = members.length > 0 && share > 0 ? { members, share } : undefined;
  }

  /** One patch index. */
  draw(): number {
    if (this.hard && this.rand.next() < this.hard.share) return this.hard.members[this.rand.int(0, this.hard.members.length)];
    const stratum = pick(this.strata, this.rand)[0];
    const members = pick(this.groups[stratum], this.rand);
    return members[this.rand.int(0, members.length)];
  }

  batch(size: number): number[] {
    return Array.from({ length: size }, () => this.draw());
  }
}

function pool(members: Int32Array[], weights: number[]): Pool {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const cumulative = weights.map((w) => (acc += w / total));
  if (cumulative.length > 0) cumulative[cumulative.length - 1] = 1;
  return { cumulative, members };
}

function pick(p: Pool, rand: Random): Int32Array {
  const u = rand.next();
  let i = 0;
  while (i < p.cumulative.length - 1 && u >= p.cumulative[i]) i++;
  return p.members[i];
}
