import { describe, expect, it } from 'vitest';
import { impulseTrain, sine, whiteNoise } from '#testkit/signals.js';
import { createRandom } from '#shared/util/random.js';
import { backgroundExcerpt, eventSnrDb, meanSquare, mixAtSnr, peakWindowPower } from './mix.js';

/** SNR of a finished mix by the documented definition, from its two scaled parts. */
function achievedSnrDb(signal: Float32Array, background: Float32Array, result: ReturnType<typeof mixAtSnr>): number {
  const s = signal.map((v) => v * result.signalGain);
  const bg = backgroundExcerpt(background, signal.length, result.backgroundOffset).map((v) => v * result.backgroundGain);
  return eventSnrDb(s, bg);
}

describe('peak-window SNR definition', () => {
  it('uses the loudest window of the event, not its average over the clip', () => {
    const shot = new Float32Array(16000);
    for (let i = 8000; i < 8800; i++) shot[i] = 0.5; // 50 ms at 0.25 power
    expect(peakWindowPower(shot, 800)).toBeCloseTo(0.25, 9);
    expect(meanSquare(shot)).toBeCloseTo(0.25 * 0.05, 9);
    const bg = new Float32Array(16000).fill(0.05); // power 0.0025
    expect(eventSnrDb(shot, bg)).toBeCloseTo(20, 6);
  });

  it('equals the plain power ratio for a steady signal', () => {
    const tone = sine(440, 1, 16000, 0.5);
    const bg = whiteNoise(1, 0.1, 3);
    const plain = 10 * Math.log10(meanSquare(tone) / meanSquare(bg));
    expect(Math.abs(eventSnrDb(tone, bg) - plain)).toBeLessThan(0.1);
  });
});

describe('mixAtSnr', () => {
  const shot = impulseTrain(1, 2, 16000, 0.5);
  const background = whiteNoise(5, 0.05, 11);

  it.each([-5, 0, 10, 20])('hits %i dB by rescaling the background', (snr) => {
    const result = mixAtSnr(shot, background, snr, { rand: createRandom(snr + 100) });
    expect(result.samples.length).toBe(shot.length);
    expect(result.snrDb).toBe(snr);
    expect(achievedSnrDb(shot, background, result)).toBeCloseTo(snr, 6);
  });

  it('can rescale the signal instead, leaving the background at its real level', () => {
    const result = mixAtSnr(shot, background, 6, { adjust: 'signal', backgroundOffset: 1234, peakLimit: Infinity });
    expect(result.backgroundGain).toBe(1);
    expect(result.backgroundOffset).toBe(1234);
    expect(achievedSnrDb(shot, background, result)).toBeCloseTo(6, 6);
    // The mix is exactly signal * gain + the chosen excerpt.
    expect(result.samples[5000]).toBeCloseTo(shot[5000] * result.signalGain + background[1234 + 5000], 6);
  });

  it('limits the peak without changing the SNR', () => {
    const loudShot = impulseTrain(1, 2, 16000, 0.99);
    const result = mixAtSnr(loudShot, background, 0, { rand: createRandom(1) });
    let peak = 0;
    for (const v of result.samples) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThanOrEqual(0.99 + 1e-6);
    expect(result.signalGain).toBeLessThan(1);
    expect(achievedSnrDb(loudShot, background, result)).toBeCloseTo(0, 6);
  });

  it('loops a short background without clicks', () => {
    const short = sine(200, 0.3, 16000, 0.2);
    const result = mixAtSnr(new Float32Array(16000), short, 10, { backgroundOffset: 100 });
    expect(result.samples.length).toBe(16000);
    let maxStep = 0;
    for (let i = 1; i < result.samples.length; i++) maxStep = Math.max(maxStep, Math.abs(result.samples[i] - result.samples[i - 1]));
    // A 200 Hz sine at 0.2 moves at most 2*pi*200/16000*0.2 = 0.016 per sample; a seam jump would be up to 0.4.
    expect(maxStep).toBeLessThan(0.02);
    expect(result.snrDb).toBe(-Infinity); // the signal is silent
  });

  it('reports +Infinity for a silent background and is deterministic for a seed', () => {
    expect(mixAtSnr(shot, new Float32Array(100), 10).snrDb).toBe(Infinity);
    const a = mixAtSnr(shot, background, 3, { rand: createRandom(5) });
    const b = mixAtSnr(shot, background, 3, { rand: createRandom(5) });
    expect(a.samples).toEqual(b.samples);
    expect(a.backgroundOffset).toBe(b.backgroundOffset);
  });
});
