import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESENCE, SustainedPresence, type PresenceTransition } from './sustained-presence.js';

const RATE = 16000;
const HOP = 0.48;
const WINDOW = 0.96;

/** Feeds windows every 0.48 s; `present(t)` says whether the window starting at t s holds the class. */
function run(durationSec: number, present: (tSec: number) => boolean): PresenceTransition[] {
  const detector = new SustainedPresence({ ...DEFAULT_PRESENCE, sampleRateHz: RATE, hopSec: HOP, threshold: 0.5 });
  const out: PresenceTransition[] = [];
  let t = 0;
  for (; t + WINDOW <= durationSec; t += HOP) {
    out.push(...detector.push(Math.round(t * RATE), Math.round((t + WINDOW) * RATE), present(t) ? 0.9 : 0.1));
  }
  out.push(...detector.end(Math.round(durationSec * RATE)));
  return out;
}

const sec = (samples: number): number => samples / RATE;

describe('SustainedPresence (logging: 20 s of a 30 s span)', () => {
  it('starts once 20 s of the span hold the class, with the onset at the first present window', () => {
    const out = run(120, (t) => t >= 10 && t < 70);
    // Started near 30 s, updated every 30 s of audio while the span still holds it, ended near 95 s.
    expect(out.map((x) => x.type)).toEqual(['start', 'update', 'update', 'end']);
    const start = out[0];
    const end = out[3];
    expect(sec(start.run.onsetSample)).toBeCloseTo(10.08, 1);
    // Raised after about 20 s of saw: 42 windows of 0.48 s.
    expect(sec(start.atSample) - 10).toBeGreaterThan(19.5);
    expect(sec(start.atSample) - 10).toBeLessThan(21.5);
    // Ends once fewer than 3 s of the span hold it, and reports the whole stretch.
    expect(sec(end.run.lastPresentSample)).toBeCloseTo(70.5, 0);
    expect(sec(end.run.lastPresentSample - end.run.onsetSample)).toBeCloseTo(60.4, 0);
    expect(sec(end.atSample)).toBeGreaterThan(90);
    expect(sec(end.atSample)).toBeLessThan(100);
  });

  it('never fires for a 15 s pass-by, nor for pass-bys 20 s apart', () => {
    expect(run(60, (t) => t >= 20 && t < 35)).toEqual([]);
    expect(run(600, (t) => t % 35 < 12)).toEqual([]);
  });

  it('keeps one alert through the idling between cuts of a felling sequence, updated while it lasts', () => {
    // Cuts of 25 s separated by 8 s of idle (not detected) for 5 minutes.
    const out = run(300, (t) => t % 33 < 25);
    expect(out[0].type).toBe('start');
    expect(out.at(-1)?.type).toBe('end');
    expect(out.filter((x) => x.type === 'start')).toHaveLength(1);
    expect(out.filter((x) => x.type === 'update').length).toBeGreaterThanOrEqual(7);
  });

  it('ends at the end of the segment and reports nothing when nothing started', () => {
    const out = run(40, () => true);
    expect(out.map((x) => x.type)).toEqual(['start', 'end']);
    expect(out[1].atSample).toBe(40 * RATE);
    expect(run(40, () => false)).toEqual([]);
  });
});
