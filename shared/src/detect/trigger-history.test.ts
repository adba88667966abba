import { describe, expect, it } from 'vitest';
import { inTexture } from './gunshot-onsets.js';
import { contextsOf, HISTORY_SEC, QUIET_CONTEXT, TriggerHistory } from './trigger-history.js';

const RATE = 16000;
const at = (sec: number, excessDb = 10) => ({ onsetSample: Math.round(sec * RATE), excessDb });

describe('TriggerHistory', () => {
  it('tells each trigger the gap to the previous one, how many came in the last 1 and 5 s, and the previous rise', () => {
    const contexts = contextsOf([at(1, 12), at(1.05, 20), at(1.5), at(4), at(8.9, 30), at(9.5)], RATE);
    expect(contexts[0]).toEqual({ ...QUIET_CONTEXT, historySec: 1 });
    expect(contexts[1]).toEqual({ gapSec: 0.05, recent1s: 1, recent5s: 1, previousExcessDb: 12, historySec: 1.05 });
    expect(contexts[2]).toMatchObject({ recent1s: 2, recent5s: 2, previousExcessDb: 20 });
    expect(contexts[2].gapSec).toBeCloseTo(0.45, 6);
    expect(contexts[3]).toMatchObject({ recent1s: 0, recent5s: 3 });
    // 8.9 s: 1.0-1.5 s have left the 5 s history, 4 s has not; at 9.5 s it has too.
    expect(contexts[4]).toMatchObject({ recent1s: 0, recent5s: 1 });
    expect(contexts[5]).toMatchObject({ recent1s: 1, recent5s: 1, previousExcessDb: 30, historySec: HISTORY_SEC });
  });

  it('judges an impulsive texture by its rate, also in the first seconds of a stream', () => {
    // Rain from the start: 5 drops in the first 2.4 s is a texture (10 per 5 s), not a quiet forest.
    const rain = contextsOf([0.3, 0.8, 1.2, 1.7, 2.1, 2.45].map((s) => at(s)), RATE);
    expect(inTexture(rain[5])).toBe(true);
    // One click 0.2 s into a stream does not make the shot after it a texture (rate judged over >= 1 s).
    expect(inTexture(contextsOf([at(0.1), at(0.3)], RATE)[1])).toBe(false);
    // A full history: 8 triggers in 5 s is a texture, 7 is not.
    const steady = (n: number) => contextsOf(Array.from({ length: n + 1 }, (_, i) => at(20 + (4.5 * i) / n)), RATE)[n];
    expect(inTexture(steady(8))).toBe(true);
    expect(inTexture(steady(7))).toBe(false);
  });

  it('forgets a trigger older than the history: the next one is out of quiet again', () => {
    const h = new TriggerHistory(RATE);
    h.observe(at(0));
    expect(h.observe(at(HISTORY_SEC + 0.01))).toEqual(QUIET_CONTEXT);
  });
});
