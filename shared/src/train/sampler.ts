import type { Random } from '../util/random.js';
import type { PatchSet } from './patch-set.js';

/**
 * Draws training patches so rare classes are seen often enough: a batch slot
 * first picks a stratum (one per class with positives, plus "no label"), then a
 * patch in it. Negatives get a fixed share because most real audio holds none
 * of the classes and false alarms are what a station operator notices first;
 * the positive share is split across classes by size^0.5 (between uniform over
 * classes and uniform over patches).
 */
export class BalancedSampler {
  private readonly strata: Int32Array[];
  private readonly cumulative: number[];
  private readonly rand: Random;

  constructor(set: PatchSet, rand: Random, negativeShare = 0.4, exponent = 0.5) {
    this.rand = rand;
    const byClass: number[][] = set.classes.map(() => []);
    const negatives: number[] = [];
    for (let i = 0; i < set.count; i++) {
      const labels = set.labels(i);
      let any = false;
      for (let k = 0; k < labels.length; k++) {
        if (labels[k]) {
          byClass[k].push(i);
          any = true;
        }
      }
      if (!any) negatives.push(i);
    }
    const positive = byClass.filter((s) => s.length > 0);
    const weights = positive.map((s) => s.length ** exponent);
    const total = weights.reduce((a, b) => a + b, 0);
    const posShare = negatives.length === 0 ? 1 : positive.length === 0 ? 0 : 1 - negativeShare;
    this.strata = [];
    this.cumulative = [];
    let acc = 0;
    positive.forEach((s, i) => {
      acc += (posShare * weights[i]) / total;
      this.strata.push(Int32Array.from(s));
      this.cumulative.push(acc);
    });
    if (negatives.length > 0) {
      this.strata.push(Int32Array.from(negatives));
      this.cumulative.push(1);
    }
    if (this.strata.length > 0) this.cumulative[this.cumulative.length - 1] = 1;
  }

  /** One patch index. */
  draw(): number {
    const u = this.rand.next();
    let s = 0;
    while (s < this.cumulative.length - 1 && u >= this.cumulative[s]) s++;
    const stratum = this.strata[s];
    return stratum[this.rand.int(0, stratum.length)];
  }

  batch(size: number): number[] {
    return Array.from({ length: size }, () => this.draw());
  }
}
