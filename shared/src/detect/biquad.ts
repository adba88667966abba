/**
 * RBJ-cookbook second-order sections, streaming (state kept between calls):
 * the filters of the impulse trigger and the onset features.
 */
export class Biquad {
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  private constructor(private readonly b0: number, private readonly b1: number, private readonly b2: number,
    private readonly a1: number, private readonly a2: number) {}

  static highPass(cutoffHz: number, sampleRateHz: number, q = Math.SQRT1_2): Biquad {
    const { cos, alpha, a0 } = parts(cutoffHz, sampleRateHz, q);
    return new Biquad((1 + cos) / 2 / a0, -(1 + cos) / a0, (1 + cos) / 2 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }

  static lowPass(cutoffHz: number, sampleRateHz: number, q = Math.SQRT1_2): Biquad {
    const { cos, alpha, a0 } = parts(cutoffHz, sampleRateHz, q);
    return new Biquad((1 - cos) / 2 / a0, (1 - cos) / a0, (1 - cos) / 2 / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }

  /** Band-pass between two edges (constant 0 dB peak gain), Q from the bandwidth. */
  static bandPass(loHz: number, hiHz: number, sampleRateHz: number): Biquad {
    const centre = Math.sqrt(loHz * hiHz);
    const { cos, alpha, a0 } = parts(centre, sampleRateHz, centre / (hiHz - loHz));
    return new Biquad(alpha / a0, 0, -alpha / a0, (-2 * cos) / a0, (1 - alpha) / a0);
  }

  step(x: number): number {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

function parts(freqHz: number, sampleRateHz: number, q: number): { cos: number; alpha: number; a0: number } {
  const w = (2 * Math.PI * freqHz) / sampleRateHz;
  const alpha = Math.sin(w) / (2 * q);
  return { cos: Math.cos(w), alpha, a0: 1 + alpha };
}
