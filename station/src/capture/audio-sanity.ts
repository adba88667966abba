/**
 * Recognises recorder output that is not audio: a driver or wrapper that
 * writes text or a stuck pattern to stdout. Microphones are AC-coupled, so
 * real audio has a mean near zero; text read as 16-bit samples sits far from
 * zero. Sustained heavy clipping is the other tell. Silence is NOT garbage
 * (a muted input is still a working recorder).
 */
export interface SanityOptions {
  sampleRateHz: number;
  /** How much audio each verdict covers. Default 1 s. */
  blockSec?: number;
  /** |mean| above this (full scale 1) over a block is garbage. Default 0.25. */
  maxDcOffset?: number;
  /** Fraction of samples at full scale above which a block is garbage. Default 0.3. */
  maxClippedFraction?: number;
}

export class AudioSanity {
  private sum = 0;
  private clipped = 0;
  private count = 0;
  private readonly block: number;
  /** Whole blocks judged so far (and found to be audio). */
  blocksPassed = 0;

  constructor(private readonly options: SanityOptions) {
    this.block = Math.round(options.sampleRateHz * (options.blockSec ?? 1));
  }

  reset(): void {
    this.sum = 0;
    this.clipped = 0;
    this.count = 0;
  }

  /** Feeds samples; returns a reason once a whole block looks like garbage. */
  check(samples: Float32Array): string | undefined {
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i];
      this.sum += x;
      if (x >= 0.999 || x <= -0.999) this.clipped++;
      if (++this.count === this.block) {
        const mean = this.sum / this.count;
        const clippedFraction = this.clipped / this.count;
        this.reset();
        if (Math.abs(mean) > (this.options.maxDcOffset ?? 0.25)) return `recorder output is not audio (DC offset ${mean.toFixed(2)} of full scale)`;
        if (clippedFraction > (this.options.maxClippedFraction ?? 0.3)) return `recorder output is not audio (${Math.round(clippedFraction * 100)} % of samples clipped)`;
        this.blocksPassed++;
      }
    }
    return undefined;
  }
}
