import { Biquad } from './biquad.js';

/** An impulsive onset found by the trigger. */
export interface ImpulseTrigger {
  /** Sample index (in the stream's counting) where the impulse starts. */
  onsetSample: number;
  /** How far the onset block rose above the adaptive background, dB. */
  excessDb: number;
  /** Spectral flux at the onset: mean positive rise of the sub-bands over their background, dB. */
  fluxDb: number;
  /** The background level in the trigger band when it fired, dBFS (energy per sample). */
  backgroundDb: number;
}

/** Trigger settings; the defaults are what ships (tuned on the validation packages). */
export interface ImpulseTriggerOptions {
  sampleRateHz: number;
  /** Envelope block, ms (1-2 ms: a muzzle blast rises within one). Default 2. */
  blockMs?: number;
  /** Fire when the band energy of a block rises this far above background, dB. Default 5. */
  excessDb?: number;
  /** ... and the sub-band flux reaches this, dB. Default 2. */
  fluxDb?: number;
  /** No second trigger within this time, ms (a burst is 60-150 ms per shot). Default 50. */
  refractoryMs?: number;
  /**
   * A block must also rise this many spreads (mean absolute deviation of block
   * levels) over the background: 2 ms blocks of low-frequency noise hold a few
   * degrees of freedom and swing by 5-10 dB, so a fixed dB rise alone would
   * fire on pink and brown noise all the time. Default 2.5.
   */
  spreadFactor?: number;
  /** Blocks quieter than this never fire (digital silence, dither, a near-silent night), dBFS. Default -65. */
  floorDbfs?: number;
}

const BANDS_HZ: readonly [number, number][] = [[150, 600], [600, 2000], [2000, 7000]];
/** Background tracker: follows a falling level in ~0.25 s, a rising one in ~1.5 s. */
const DOWN_TAU_SEC = 0.25;
const UP_TAU_SEC = 1.5;
/** Time constant of the background's spread (mean absolute deviation of block levels), s. */
const SPREAD_TAU_SEC = 1;
const INITIAL_SPREAD_DB = 4;

const LOG10 = Math.log(10);

/**
 * Stage 1 of the gunshot detector: a cheap impulse trigger on raw samples.
 * The signal is split into three bands (300 Hz - 7 kHz: below 300 Hz lives the
 * wind and stream rumble that fooled the window model); each band's energy is
 * taken every 2 ms and compared with a per-band background that follows
 * falling levels fast and rising ones slowly, so a sound that rises within
 * milliseconds stands out while stationary noise of any colour and level, and
 * slowly swelling sounds, do not. It fires when the summed band energy rises
 * `excessDb` over its background and the bands' mean rise (a spectral flux)
 * reaches `fluxDb`; the onset is then refined to the first sample whose
 * magnitude reaches a third of the onset block's peak. It is a trigger, not a
 * decision: it may fire hundreds of times an hour; stage 2 decides.
 * Streaming: push chunks in order; state carries across chunks.
 */
export class ImpulseDetector {
  private readonly blockSamples: number;
  private readonly filters: Biquad[];
  private scratch: Float64Array[] = [new Float64Array(0)];
  private readonly bandEnergy: Float64Array;
  private readonly bandBackground: Float64Array;
  private readonly bandSpread: Float64Array;
  private totalBackground = Number.NaN;
  /** Starts wide: until the background is learnt, only a clear impulse fires. */
  private totalSpread = INITIAL_SPREAD_DB;
  private readonly spreadRate: number;
  private readonly history: Float32Array;
  private historyAt = 0;
  private inBlock = 0;
  private sampleIndex = 0;
  private lastTriggerSample = -Infinity;
  private readonly down: number;
  private readonly up: number;
  private readonly o: Required<ImpulseTriggerOptions>;

  constructor(options: ImpulseTriggerOptions) {
    this.o = { blockMs: 2, excessDb: 5, fluxDb: 2, refractoryMs: 50, floorDbfs: -65, spreadFactor: 2.5, ...options };
    const rate = this.o.sampleRateHz;
    this.blockSamples = Math.max(8, Math.round((this.o.blockMs * rate) / 1000));
    this.filters = BANDS_HZ.map(([lo, hi]) => Biquad.bandPass(lo, Math.min(hi, rate * 0.45), rate));
    this.bandEnergy = new Float64Array(BANDS_HZ.length);
    this.bandBackground = new Float64Array(BANDS_HZ.length).fill(Number.NaN);
    this.bandSpread = new Float64Array(BANDS_HZ.length).fill(INITIAL_SPREAD_DB);
    this.history = new Float32Array(this.blockSamples * 3);
    const blockSec = this.blockSamples / rate;
    this.down = 1 - Math.exp(-blockSec / DOWN_TAU_SEC);
    this.up = 1 - Math.exp(-blockSec / UP_TAU_SEC);
    this.spreadRate = 1 - Math.exp(-blockSec / SPREAD_TAU_SEC);
  }

  /** Feeds samples; returns the triggers whose onset block ended inside them. */
  push(samples: Float32Array): ImpulseTrigger[] {
    const out: ImpulseTrigger[] = [];
    const [y0, y1, y2] = this.bandOutputs(samples);
    const energy = this.bandEnergy;
    const history = this.history;
    // The per-sample state lives in locals and is written back before each block's decision.
    let [e0, e1, e2] = energy;
    let at = this.historyAt;
    let inBlock = this.inBlock;
    let index = this.sampleIndex;
    for (let i = 0; i < samples.length; i++) {
      e0 += y0[i] * y0[i];
      e1 += y1[i] * y1[i];
      e2 += y2[i] * y2[i];
      history[at] = 0 + y0[i] + y1[i] + y2[i];
      if (++at === history.length) at = 0;
      index++;
      if (++inBlock === this.blockSamples) {
        energy[0] = e0;
        energy[1] = e1;
        energy[2] = e2;
        this.historyAt = at;
        this.sampleIndex = index;
        const t = this.endBlock();
        if (t) out.push(t);
        inBlock = 0;
        e0 = e1 = e2 = 0;
      }
    }
    energy[0] = e0;
    energy[1] = e1;
    energy[2] = e2;
    this.historyAt = at;
    this.sampleIndex = index;
    this.inBlock = inBlock;
    return out;
  }

  /** Each band's filter output over `samples`, in scratch buffers grown to the largest chunk seen. */
  private bandOutputs(samples: Float32Array): Float64Array[] {
    if (this.scratch[0].length < samples.length) this.scratch = this.filters.map(() => new Float64Array(samples.length));
    this.filters.forEach((f, b) => f.run(samples, this.scratch[b], samples.length));
    return this.scratch;
  }

  /** Samples consumed so far. */
  get position(): number {
    return this.sampleIndex;
  }

  private endBlock(): ImpulseTrigger | undefined {
    const n = this.blockSamples;
    let total = 0;
    let flux = 0;
    const levels: number[] = [];
    for (let b = 0; b < this.bandEnergy.length; b++) {
      const e = this.bandEnergy[b] / n;
      total += e;
      const db = toDb(e);
      levels.push(db);
      if (Number.isNaN(this.bandBackground[b])) this.bandBackground[b] = db;
      flux += Math.max(0, db - this.bandBackground[b] - this.o.spreadFactor * this.bandSpread[b]);
      this.bandEnergy[b] = 0;
    }
    flux /= levels.length;
    this.inBlock = 0;
    const totalDb = toDb(total);
    if (Number.isNaN(this.totalBackground)) this.totalBackground = totalDb;
    const excess = totalDb - this.totalBackground;
    const background = this.totalBackground;
    const needed = Math.max(this.o.excessDb, this.o.spreadFactor * this.totalSpread);
    this.totalSpread += (Math.min(Math.abs(excess), 20) - this.totalSpread) * this.spreadRate;
    this.totalBackground = track(this.totalBackground, totalDb, this.down, this.up);
    for (let b = 0; b < levels.length; b++) {
      const dev = Math.min(Math.abs(levels[b] - this.bandBackground[b]), 20);
      this.bandSpread[b] += (dev - this.bandSpread[b]) * this.spreadRate;
      this.bandBackground[b] = track(this.bandBackground[b], levels[b], this.down, this.up);
    }
    const refractory = (this.o.refractoryMs * this.o.sampleRateHz) / 1000;
    if (excess < needed || flux < this.o.fluxDb || totalDb < this.o.floorDbfs) return undefined;
    if (this.sampleIndex - this.lastTriggerSample < refractory) return undefined;
    const onsetSample = this.refineOnset(background);
    this.lastTriggerSample = onsetSample;
    return { onsetSample, excessDb: excess, fluxDb: flux, backgroundDb: background };
  }

  /** First sample of the last three blocks that reaches a third of their peak and clearly exceeds the background. */
  private refineOnset(backgroundDb: number): number {
    const len = this.history.length;
    const floor = 3 * Math.sqrt(10 ** (backgroundDb / 10));
    let peak = 0;
    for (let i = 0; i < len; i++) peak = Math.max(peak, Math.abs(this.history[i]));
    const level = Math.max(peak / 3, floor);
    for (let k = 0; k < len; k++) {
      const v = this.history[(this.historyAt + k) % len];
      if (Math.abs(v) >= level) return this.sampleIndex - len + k;
    }
    return this.sampleIndex - this.blockSamples;
  }
}

/** Fast down, slow up, in dB. */
function track(bg: number, level: number, down: number, up: number): number {
  return bg + (level - bg) * (level < bg ? down : up);
}

function toDb(energy: number): number {
  return (10 * Math.log(energy + 1e-12)) / LOG10;
}

/** Samples per push in findImpulses: the band filters' scratch is 3 x 8 bytes per sample of a push. */
const FIND_CHUNK_SAMPLES = 1 << 16;

/**
 * Every trigger over a whole signal (offline tools, training, evaluation).
 * Fed in 4 s pieces (the detector is streaming: the same triggers as one
 * push), so its scratch stays at 1.5 MB: one push of an hour of audio would
 * hold 1.4 GB of Float64 band outputs.
 */
export function findImpulses(samples: Float32Array, options: ImpulseTriggerOptions): ImpulseTrigger[] {
  const detector = new ImpulseDetector(options);
  const out: ImpulseTrigger[] = [];
  for (let at = 0; at < samples.length; at += FIND_CHUNK_SAMPLES) {
    for (const t of detector.push(samples.subarray(at, at + FIND_CHUNK_SAMPLES))) out.push(t);
  }
  return out;
}
