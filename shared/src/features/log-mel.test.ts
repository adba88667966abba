import { describe, expect, it } from 'vitest';
import { sine, whiteNoise } from '#testkit/signals.js';
import { LogMelFrontEnd, periodicHann } from './log-mel.js';
import { buildMelFilterbank, hzToMel, melToHz } from './mel-filterbank.js';
import { YAMNET_FRONT_END, geometryOf } from './params.js';

const fe = new LogMelFrontEnd();
const BANDS = 64;

/** Centre frequency of each mel band, from the same HTK formula. */
function bandCentresHz(): number[] {
  const lo = hzToMel(125);
  const hi = hzToMel(7500);
  return Array.from({ length: BANDS }, (_, b) => melToHz(lo + ((hi - lo) * (b + 1)) / (BANDS + 1)));
}

function argmaxBand(frame: Float32Array): number {
  let best = 0;
  for (let b = 1; b < frame.length; b++) if (frame[b] > frame[best]) best = b;
  return best;
}

describe('YAMNet front-end geometry', () => {
  it('uses 400-sample windows, 160-sample hops, 96-frame patches of 15600 samples', () => {
    const g = geometryOf(YAMNET_FRONT_END);
    expect(g).toMatchObject({ windowSamples: 400, hopSamples: 160, patchHopFrames: 48, patchSamples: 15600, patchHopSamples: 7680, spectrumBins: 257 });
  });

  it('uses a periodic Hann window (first sample 0, symmetric about N/2)', () => {
    const w = periodicHann(400);
    expect(w[0]).toBe(0);
    expect(w[200]).toBeCloseTo(1, 6);
    expect(w[100]).toBeCloseTo(w[300], 6);
    expect(w[399]).toBeGreaterThan(0); // periodic: the last sample is not zero
  });

  it('counts frames without padding, as tf.signal.stft does', () => {
    expect(fe.frameCount(399)).toBe(0);
    expect(fe.frameCount(400)).toBe(1);
    expect(fe.frameCount(16000)).toBe(98);
  });
});

describe('log-mel against analytic signals', () => {
  it('maps silence to log(0.001) in every band', () => {
    const { data } = fe.spectrogram(new Float32Array(16000));
    for (const v of data) expect(v).toBeCloseTo(Math.log(0.001), 6);
  });

  for (const freq of [250, 500, 1000, 2000, 4000, 6500]) {
    it(`puts a ${freq} Hz tone in the band centred nearest to it`, () => {
      const { data } = fe.spectrogram(sine(freq, 0.5));
      const frame = data.subarray(10 * BANDS, 11 * BANDS);
      const centres = bandCentresHz();
      const band = argmaxBand(frame);
      const nearest = centres.reduce((best, c, i) => (Math.abs(c - freq) < Math.abs(centres[best] - freq) ? i : best), 0);
      expect(Math.abs(band - nearest)).toBeLessThanOrEqual(1);
      // Far-away bands stay near the floor.
      expect(frame[band] - frame[(band + 32) % BANDS]).toBeGreaterThan(5);
    });
  }

  it('scales with amplitude: doubling the signal adds ln 2 to every energetic band', () => {
    const quiet = fe.spectrogram(whiteNoise(0.5, 0.1, 3)).data;
    const loud = fe.spectrogram(whiteNoise(0.5, 0.2, 3)).data;
    for (let i = 0; i < quiet.length; i++) {
      if (quiet[i] > Math.log(0.5)) expect(loud[i] - quiet[i]).toBeCloseTo(Math.LN2, 2);
    }
  });

  it('matches a direct DFT of one windowed frame', () => {
    const x = whiteNoise(0.05, 0.3, 11);
    const out = new Float32Array(BANDS);
    fe.frameAt(x, 0, out, 0);
    const w = periodicHann(400);
    const mag = new Float64Array(257);
    for (let k = 0; k < 257; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < 400; n++) {
        re += x[n] * w[n] * Math.cos((2 * Math.PI * k * n) / 512);
        im -= x[n] * w[n] * Math.sin((2 * Math.PI * k * n) / 512);
      }
      mag[k] = Math.hypot(re, im);
    }
    const fb = buildMelFilterbank(64, 257, 16000, 125, 7500);
    for (let b = 0; b < BANDS; b++) {
      let acc = 0;
      fb.weights[b].forEach((wt, i) => { acc += wt * mag[fb.firstBin[b] + i]; });
      expect(out[b]).toBeCloseTo(Math.log(acc + 0.001), 4);
    }
  });
});

describe('mel filterbank', () => {
  it('has 64 triangles with peaks of 1 near their centres and no DC weight', () => {
    const fb = buildMelFilterbank(64, 257, 16000, 125, 7500);
    expect(fb.weights).toHaveLength(64);
    for (let b = 0; b < 64; b++) {
      expect(fb.firstBin[b]).toBeGreaterThan(0);
      expect(Math.max(...fb.weights[b])).toBeLessThanOrEqual(1);
      expect(Math.max(...fb.weights[b])).toBeGreaterThan(0.3);
    }
  });
});

describe('patches', () => {
  it('cuts 96x64 patches every 48 frames and pads short clips to one patch', () => {
    expect(fe.patches(new Float32Array(16000 * 3))).toHaveLength(5); // 298 frames -> 1 + floor((298-96)/48)
    const short = fe.patches(new Float32Array(1000));
    expect(short).toHaveLength(1);
    expect(short[0]).toHaveLength(96 * 64);
  });
});
