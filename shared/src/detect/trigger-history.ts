import type { ImpulseTrigger } from './impulse-trigger.js';

/** What came before one trigger: stage 2's context inputs, and the texture gate's count. */
export interface OnsetContext {
  /** Time since the previous trigger, s (HISTORY_SEC when there was none within it). */
  gapSec: number;
  /** Triggers in the second before this one. */
  recent1s: number;
  /** Triggers in the HISTORY_SEC before this one. */
  recent5s: number;
  /** The previous trigger's excess over its background, dB (0 when there was none within HISTORY_SEC). */
  previousExcessDb: number;
  /** Audio the history covers, s: HISTORY_SEC, less in the first seconds of a stream (it counts from sample 0). */
  historySec: number;
}

/** How far back the history looks, s. */
export const HISTORY_SEC = 5;

/** The context of a trigger with nothing before it in a full history. */
export const QUIET_CONTEXT: OnsetContext = { gapSec: HISTORY_SEC, recent1s: 0, recent5s: 0, previousExcessDb: 0, historySec: HISTORY_SEC };

/**
 * The recent triggers of one stream. A gunshot's muzzle blast comes out of
 * comparative quiet; a trigger 40-50 ms after another one is most often a
 * later onset inside a sound already going on (a note of music, a rattle, a
 * teleport effect), whose 50 ms reference span before it is not background.
 * Feed every trigger, in order.
 */
export class TriggerHistory {
  private recent: Pick<ImpulseTrigger, 'onsetSample' | 'excessDb'>[] = [];

  constructor(private readonly sampleRateHz: number) {}

  /** Records a trigger and returns what came before it. */
  observe(t: Pick<ImpulseTrigger, 'onsetSample' | 'excessDb'>): OnsetContext {
    const window = HISTORY_SEC * this.sampleRateHz;
    while (this.recent.length > 0 && this.recent[0].onsetSample < t.onsetSample - window) this.recent.shift();
    const last = this.recent[this.recent.length - 1];
    let recent1s = 0;
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i].onsetSample >= t.onsetSample - this.sampleRateHz; i--) recent1s++;
    const historySec = Math.min(HISTORY_SEC, Math.max(0, t.onsetSample) / this.sampleRateHz);
    const context: OnsetContext = last === undefined
      ? { ...QUIET_CONTEXT, historySec }
      : { gapSec: (t.onsetSample - last.onsetSample) / this.sampleRateHz, recent1s, recent5s: this.recent.length, previousExcessDb: last.excessDb, historySec };
    this.recent.push({ onsetSample: t.onsetSample, excessDb: t.excessDb });
    return context;
  }
}

/** Every trigger's context, for a whole signal's triggers in order. */
export function contextsOf(triggers: readonly Pick<ImpulseTrigger, 'onsetSample' | 'excessDb'>[], sampleRateHz: number): OnsetContext[] {
  const history = new TriggerHistory(sampleRateHz);
  return triggers.map((t) => history.observe(t));
}
