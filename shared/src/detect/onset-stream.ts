import { inTexture, type GunshotAlarm } from './gunshot-onsets.js';
import { ImpulseDetector, type ImpulseTrigger } from './impulse-trigger.js';
import { ONSET_POST_SEC, ONSET_PRE_SEC, OnsetFeaturizer } from './onset-features.js';
import type { OnsetModel } from './onset-model.js';
import { TriggerHistory } from './trigger-history.js';

/** A change of a gunshot alarm, Frigate-style: start, update (another shot of the burst), end. */
export interface GunshotAlarmMessage {
  type: 'start' | 'update' | 'end';
  alarm: GunshotAlarm;
}

/**
 * The two-stage gunshot detector on a live stream: stage 1 (impulse trigger)
 * sees every sample; each trigger waits until ONSET_POST_SEC of audio after it
 * has arrived, then stage 2 scores it. Accepted onsets within the model's
 * burst gap of each other are one alarm. Keeps the last ~1.2 s of audio before
 * the newest chunk (in a store reused from chunk to chunk).
 * Sample indices count from the last reset (a segment's start).
 */
export class OnsetStream {
  private trigger: ImpulseDetector;
  /** The audio kept: store[0 .. stored), compacted in place when full (no allocation per chunk). */
  private store = new Float32Array(0);
  private stored = 0;
  /** Segment sample index of store[0]. */
  private bufferStart = 0;
  private pending: ImpulseTrigger[] = [];
  private open: GunshotAlarm | undefined;
  private history: TriggerHistory;
  private readonly keepSamples: number;
  private readonly postSamples: number;
  private readonly featurizer: OnsetFeaturizer;
  /** Stage-1 triggers so far (telemetry). */
  triggers = 0;
  /** Onsets stage 2 has scored so far (telemetry: its load; fewer than the triggers, see decide). */
  scored = 0;

  constructor(private model: OnsetModel, private readonly sampleRateHz = 16000) {
    this.trigger = new ImpulseDetector({ sampleRateHz });
    this.postSamples = Math.ceil(ONSET_POST_SEC * sampleRateHz);
    this.keepSamples = Math.ceil((ONSET_PRE_SEC + ONSET_POST_SEC + 0.5) * sampleRateHz);
    this.history = new TriggerHistory(sampleRateHz);
    this.featurizer = new OnsetFeaturizer(sampleRateHz);
  }

  /** The stage-2 model in use. */
  get modelVersion(): string {
    return this.model.file.version;
  }

  /**
   * Scores from now on with another stage-2 model (a model update): triggers
   * already found and not yet scored are scored by it; the audio kept and the
   * trigger's state carry on, so no onset is missed at the switch.
   */
  useModel(model: OnsetModel): void {
    this.model = model;
  }

  /** The model's burst gap in samples. */
  private get gapSamples(): number {
    return Math.round(this.model.file.burstGapSec * this.sampleRateHz);
  }

  /** Forgets everything (a new segment starts at sample 0). */
  reset(): void {
    this.trigger = new ImpulseDetector({ sampleRateHz: this.sampleRateHz });
    this.stored = 0;
    this.bufferStart = 0;
    this.pending = [];
    this.open = undefined;
    this.history = new TriggerHistory(this.sampleRateHz);
  }

  /** Feeds the next chunk (contiguous with the previous one). */
  push(samples: Float32Array): GunshotAlarmMessage[] {
    this.append(samples);
    this.pending.push(...this.trigger.push(samples));
    return this.decide(false);
  }

  /** The segment ended: scores what is pending (missing audio as silence) and ends the open alarm. */
  end(): GunshotAlarmMessage[] {
    const out = this.decide(true);
    if (this.open) out.push({ type: 'end', alarm: this.open });
    this.open = undefined;
    return out;
  }

  private get bufferEnd(): number {
    return this.bufferStart + this.stored;
  }

  private decide(final: boolean): GunshotAlarmMessage[] {
    const out: GunshotAlarmMessage[] = [];
    const kept = this.store.subarray(0, this.stored);
    while (this.pending.length > 0 && (final || this.pending[0].onsetSample + this.postSamples <= this.bufferEnd)) {
      const t = this.pending.shift() as ImpulseTrigger;
      this.triggers++;
      const context = this.history.observe(t);
      const textured = inTexture(context);
      // Inside an impulsive texture a trigger can only extend an open alarm: with none to extend, its score changes nothing.
      if (textured && !this.extendsOpen(t.onsetSample)) continue;
      this.scored++;
      const score = this.model.score(this.featurizer.features(kept, t.onsetSample - this.bufferStart, t, context));
      if (score >= this.model.threshold) out.push(...this.accept(t.onsetSample, score, textured));
    }
    // No later shot can join once the gap has passed with nothing pending before it.
    const horizon = this.pending.length > 0 ? this.pending[0].onsetSample : this.bufferEnd - this.postSamples;
    if (this.open && horizon - this.open.lastOnsetSample > this.gapSamples) {
      out.push({ type: 'end', alarm: this.open });
      this.open = undefined;
    }
    return out;
  }

  /** True when an onset here would join the open alarm (a burst). */
  private extendsOpen(onsetSample: number): boolean {
    return this.open !== undefined && onsetSample - this.open.lastOnsetSample <= this.gapSamples;
  }

  private accept(onsetSample: number, score: number, textured: boolean): GunshotAlarmMessage[] {
    const open = this.open;
    const joins = this.extendsOpen(onsetSample);
    if (!joins && textured) return [];
    if (open && joins) {
      open.lastOnsetSample = onsetSample;
      open.shotSamples.push(onsetSample);
      open.peakScore = Math.max(open.peakScore, score);
      return [{ type: 'update', alarm: open }];
    }
    const out: GunshotAlarmMessage[] = open ? [{ type: 'end', alarm: open }] : [];
    this.open = { onsetSample, lastOnsetSample: onsetSample, shotSamples: [onsetSample], peakScore: score };
    out.push({ type: 'start', alarm: this.open });
    return out;
  }

  /**
   * Adds a chunk, keeping at least keepSamples before it (all a pending
   * trigger's features can reach back to): older audio is dropped by moving the
   * kept tail to the front only when the store is full, and the store grows
   * only when a chunk is longer than ever before.
   */
  private append(samples: Float32Array): void {
    if (this.stored + samples.length > this.store.length) {
      const keep = Math.min(this.stored, this.keepSamples);
      this.store.copyWithin(0, this.stored - keep, this.stored);
      this.bufferStart += this.stored - keep;
      this.stored = keep;
      if (keep + samples.length > this.store.length) {
        const grown = new Float32Array(2 * (this.keepSamples + samples.length));
        grown.set(this.store.subarray(0, keep));
        this.store = grown;
      }
    }
    this.store.set(samples, this.stored);
    this.stored += samples.length;
  }
}
