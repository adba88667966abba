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

  /**
   * Filters `input[0..n)` into `output[0..n)` (the same arithmetic as `step`, in
   * a loop over locals: the hot path of the trigger and the onset features).
   */
  run(input: ArrayLike<number>, output: Float64Array, n = input.length): void {
    const { b0, b1, b2, a1, a2 } = this;
    let { x1, x2, y1, y2 } = this;
    for (let i = 0; i < n; i++) {
      const x = input[i];
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      output[i] = y;
    }
    this.x1 = x1;
    this.x2 = x2;
    this.y1 = y1;
    this.y2 = y2;
  }

  /**
   * Filters `input` and writes the running energy of the output:
   * `cumulative[i + 1] = y[0]^2 + ... + y[i]^2` (`cumulative.length >= input.length + 1`),
   * so the mean energy of any span is one subtraction.
   */
  runningEnergy(input: ArrayLike<number>, cumulative: Float64Array): void {
    const { b0, b1, b2, a1, a2 } = this;
    let { x1, x2, y1, y2 } = this;
    let acc = 0;
    cumulative[0] = 0;
    for (let i = 0; i < input.length; i++) {
      const x = input[i];
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      acc += y * y;
      cumulative[i + 1] = acc;
    }
    this.x1 = x1;
    this.x2 = x2;
    this.y1 = y1;
    this.y2 = y2;
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
