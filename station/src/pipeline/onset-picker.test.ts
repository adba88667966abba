import { describe, expect, it } from 'vitest';
import { addModelledGunfire } from '#testkit/gunfire.js';
import { whiteNoise } from '#testkit/signals.js';
import { findShots } from './shot-counter.js';
import { pickShotOnsets } from './onset-picker.js';

const RATE = 16000;

/** A bird-like call: a sine sweeping up and down around `f0Hz` under a half-sine envelope (it swells over tens of ms). */
function addChirp(audio: Float32Array, atSample: number, seconds: number, f0Hz: number, amplitude: number): void {
  const n = Math.round(seconds * RATE);
  let phase = 0;
  for (let i = 0; i < n && atSample + i < audio.length; i++) {
    phase += (2 * Math.PI * (f0Hz + 1500 * Math.sin((Math.PI * i) / n))) / RATE;
    audio[atSample + i] += amplitude * Math.sin(phase) * Math.sin((Math.PI * i) / n);
  }
}

describe('pickShotOnsets', () => {
  it('finds a modelled shot at 50-800 m to within 0.5 ms in forest-like noise, where the 5 ms frames give a frame', () => {
    const errorsMs: number[] = [];
    const coarseErrorsMs: number[] = [];
    for (const [i, distanceM] of [50, 150, 300, 500, 800].entries()) {
      const audio = whiteNoise(1.5, 0.002, 10 + i);
      const at = 4000 + 37 * i;
      const scene = addModelledGunfire(audio, at, `onset-${i}`, {
        distanceM, pattern: 'single', crackProbability: 0, reverbProbability: 1, groundProbability: 0, leadInSec: 0.1,
      });
      const truth = at + scene.blastArrivalsSec[0] * RATE;
      const onsets = pickShotOnsets(audio, { sampleRateHz: RATE });
      expect(onsets).toHaveLength(1);
      errorsMs.push(((onsets[0] - truth) / RATE) * 1000);
      coarseErrorsMs.push((((findShots(audio, { sampleRateHz: RATE }).firstOnsetSample ?? 0) - truth) / RATE) * 1000);
    }
    for (const e of errorsMs) expect(Math.abs(e)).toBeLessThan(0.5);
    // The frame detector alone is off by up to a frame: the refinement is what makes sub-ms onsets.
    expect(Math.max(...coarseErrorsMs.map(Math.abs))).toBeGreaterThan(Math.max(...errorsMs.map(Math.abs)));
  });

  it('picks every shot of automatic fire', () => {
    const audio = whiteNoise(2, 0.002, 3);
    const scene = addModelledGunfire(audio, 2000, 'burst', {
      distanceM: 200, pattern: 'automatic', shotCount: 5, roundsPerMinute: 700, crackProbability: 0, reverbProbability: 0, groundProbability: 0, leadInSec: 0.1,
    });
    const onsets = pickShotOnsets(audio, { sampleRateHz: RATE });
    expect(onsets).toHaveLength(5);
    // The first to the sample; later ones ride on the previous shot's low-frequency tail, which the picker sees rise first.
    onsets.forEach((o, k) => expect(Math.abs(o - (2000 + scene.blastArrivalsSec[k] * RATE))).toBeLessThan((k === 0 ? 0.5e-3 : 3e-3) * RATE));
  });

  it('takes no bird call just before a shot for its first shot, nor one the shot lands on', () => {
    for (const [i, seconds] of [0.08, 0.12, 0.18].entries()) {
      // The call 0.4 s before the shot, and 20 ms before it (the shot lands on the call's rising half).
      for (const leadSec of [0.4, 0.02]) {
        const audio = whiteNoise(1.5, 0.0002, 30 + i);
        const at = 12000;
        const scene = addModelledGunfire(audio, at, `chirp-${i}`, {
          distanceM: 200, pattern: 'single', crackProbability: 0, reverbProbability: 1, groundProbability: 0, leadInSec: 0,
        });
        const truth = at + scene.blastArrivalsSec[0] * RATE;
        addChirp(audio, Math.round(truth - leadSec * RATE), seconds, 3000 + 500 * i, 0.02);
        const onsets = pickShotOnsets(audio, { sampleRateHz: RATE });
        expect(onsets, `a ${seconds} s call ${leadSec} s before the shot`).toHaveLength(1);
        expect(Math.abs(onsets[0] - truth), `a ${seconds} s call ${leadSec} s before the shot`).toBeLessThan(0.5e-3 * RATE);
      }
    }
  });

  it('finds nothing in noise alone', () => {
    expect(pickShotOnsets(whiteNoise(1, 0.01, 5), { sampleRateHz: RATE })).toEqual([]);
  });
});
