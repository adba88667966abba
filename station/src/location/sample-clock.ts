/**
 * Maps a live audio stream's sample count to UTC. The sound card's sample
 * clock is not the system's: a 48 kHz crystal 30 ppm off drifts 108 ms a
 * hour, far more than TDOA can bear. Each chunk's arrival (system time) is
 * a noisy upper bound on when its last sample was captured: latency only
 * ever adds. So the lower envelope of (arrival - nominal sample time) over
 * the stream, fitted by a line, gives the capture latency (intercept) and
 * the drift (slope).
 */
export interface ChunkArrival {
  /** Index just past the chunk's last sample. */
  endSample: number;
  /** System time the chunk was handed to us, epoch ms. */
  arrivalMs: number;
}

/** Envelope points are taken per block of this many seconds of audio. */
const BLOCK_SEC = 30;
const MAX_BLOCKS = 360;

export class SampleClock {
  /** Minimum (arrival - nominal) per block, with the sample it was seen at. */
  private readonly blocks: Array<{ sample: number; excessMs: number }> = [];

  constructor(private readonly startTimeMs: number, private readonly sampleRateHz: number) {}

  observe(chunk: ChunkArrival): void {
    const nominalMs = this.startTimeMs + (chunk.endSample * 1000) / this.sampleRateHz;
    const excessMs = chunk.arrivalMs - nominalMs;
    const block = Math.floor(chunk.endSample / (BLOCK_SEC * this.sampleRateHz));
    const last = this.blocks[this.blocks.length - 1];
    const lastBlock = last ? Math.floor(last.sample / (BLOCK_SEC * this.sampleRateHz)) : -1;
    if (last && block === lastBlock) {
      if (excessMs < last.excessMs) this.blocks[this.blocks.length - 1] = { sample: chunk.endSample, excessMs };
    } else {
      this.blocks.push({ sample: chunk.endSample, excessMs });
      if (this.blocks.length > MAX_BLOCKS) this.blocks.shift();
    }
  }

  /** Drift of the audio clock against the system clock, ppm (positive: audio runs slow); null until 3 blocks. */
  driftPpm(): number | null {
    const fit = this.fit();
    return fit ? Math.round(fit.slopeMsPerSample * this.sampleRateHz * 1e3 * 1000) / 1000 : null;
  }

  /**
   * UTC of a sample, epoch ms with fraction: when the envelope says it was
   * delivered at the earliest. What remains is the smallest capture latency
   * (an ALSA period or less), the same on every station with the same
   * hardware, so it cancels in time differences of arrival.
   */
  timeOf(sample: number): number {
    const nominal = this.startTimeMs + (sample * 1000) / this.sampleRateHz;
    const fit = this.fit();
    return fit ? nominal + fit.interceptMs + fit.slopeMsPerSample * sample : nominal;
  }

  private fit(): { slopeMsPerSample: number; interceptMs: number } | undefined {
    const n = this.blocks.length;
    if (n < 3) return undefined;
    const mx = this.blocks.reduce((s, b) => s + b.sample, 0) / n;
    const my = this.blocks.reduce((s, b) => s + b.excessMs, 0) / n;
    let sxx = 0;
    let sxy = 0;
    for (const b of this.blocks) {
      sxx += (b.sample - mx) ** 2;
      sxy += (b.sample - mx) * (b.excessMs - my);
    }
    if (sxx === 0) return undefined;
    const slope = sxy / sxx;
    return { slopeMsPerSample: slope, interceptMs: my - slope * mx };
  }
}
