/**
 * Seedable pseudo-random numbers for data generation (gunshot synthesis,
 * augmentation, shuffling): the same seed gives the same stream on every
 * machine, so a training run or a retrain job can be reproduced.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's "small fast chaotic" PRNG,
 * PractRand-clean up to terabytes, period >= 2^32, typically ~2^127), seeded
 * through splitmix32 so that neighbouring seeds (0, 1, 2...) give unrelated
 * streams. Not for cryptography.
 */
export interface Random {
  /** Uniform in [0, 1), 32-bit resolution. */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Log-uniform in [min, max) (both > 0): equal odds per decade. */
  logUniform(min: number, max: number): number;
  /** Integer uniform in [min, maxExclusive). */
  int(min: number, maxExclusive: number): number;
  /** Gaussian with the given mean and standard deviation (Box-Muller). */
  normal(mean?: number, sd?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T;
  /**
   * An independent generator derived from this one and `key`. Advances this
   * generator by a fixed amount, so callers can give each sub-task (each clip,
   * each variant) its own stream without the sub-tasks disturbing each other.
   */
  fork(key: string | number): Random;
}

/** Creates a generator from a number (any float; only its bits matter) or a string. */
export function createRandom(seed: number | string): Random {
  const h = typeof seed === 'string' ? hashString(seed) : hashNumber(seed);
  return SeededRandom.fromWords(h[0], h[1], h[2], h[3]);
}

class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second Box-Muller deviate, kept for the next normal() call. */
  private spare: number | null = null;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  static fromWords(w0: number, w1: number, w2: number, w3: number): SeededRandom {
    const mix = splitmix32(w0 ^ Math.imul(w1, 0x9e3779b9) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35));
    const r = new SeededRandom(mix() ^ w1, mix() ^ w2, mix() ^ w3, mix());
    // sfc32 needs a few rounds before weakly-mixed seeds stop showing.
    for (let i = 0; i < 12; i++) r.nextUint32();
    return r;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  logUniform(min: number, max: number): number {
    if (!(min > 0 && max > 0)) throw new RangeError(`logUniform needs positive bounds, got ${min}, ${max}`);
    return min * Math.exp(Math.log(max / min) * this.next());
  }

  int(min: number, maxExclusive: number): number {
    if (!(maxExclusive > min)) throw new RangeError(`int needs max > min, got [${min}, ${maxExclusive})`);
    return min + Math.floor((maxExclusive - min) * this.next());
  }

  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    // 1 - next() is in (0, 1], so the log never sees zero.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return mean + sd * r * Math.cos(theta);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[Math.floor(items.length * this.next())];
  }

  fork(key: string | number): Random {
    const k = typeof key === 'string' ? hashString(key) : hashNumber(key);
    return SeededRandom.fromWords(
      this.nextUint32() ^ k[0], this.nextUint32() ^ k[1], this.nextUint32() ^ k[2], this.nextUint32() ^ k[3],
    );
  }
}

function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Four 32-bit words from a string (cyrb128: cheap, well-mixed, not cryptographic). */
function hashString(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** Four words from a number's IEEE-754 bits, so 1, 1.5 and 2**40 all seed differently. */
function hashNumber(n: number): [number, number, number, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  return hashString(`#${view.getUint32(0)}:${view.getUint32(4)}`);
}

/** A shuffled copy of `items` (Fisher-Yates from the end, one `rand.int` per step: reproducible per seed). */
export function shuffled<T>(items: readonly T[], rand: Random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rand.int(0, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** 0..n-1 in a shuffled order. */
export function shuffledIndices(n: number, rand: Random): number[] {
  return shuffled(Array.from({ length: n }, (_, i) => i), rand);
}
