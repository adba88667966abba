import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random.js';
import { detectGunshots } from './gunshot-onsets.js';
import { ONSET_EXCESS_FEATURE, ONSET_FEATURES, ONSET_GAP_FEATURE } from './onset-features.js';
import { parseOnsetModel } from './onset-model.js';
import { OnsetStream, type GunshotAlarmMessage } from './onset-stream.js';

const RATE = 16000;

/**
 * A one-layer "model" that calls any trigger rising 20 dB or more a gunshot
 * (feature: the trigger's rise / 30), its score nudged by the time since the
 * previous trigger (so the stream's trigger context must match the offline one).
 */
function riseModel(): ReturnType<typeof parseOnsetModel> {
  const weights = new Array<number>(ONSET_FEATURES).fill(0);
  weights[ONSET_EXCESS_FEATURE] = 30;
  weights[ONSET_GAP_FEATURE] = 0.5;
  return parseOnsetModel({
    format: 'ecosight-onset-mlp/1', version: 'test', inputSize: ONSET_FEATURES,
    mean: new Array<number>(ONSET_FEATURES).fill(0), std: new Array<number>(ONSET_FEATURES).fill(1),
    layers: [{ inputs: ONSET_FEATURES, outputs: 1, weights, bias: [-20], activation: 'sigmoid' }],
    threshold: 0.5, burstGapSec: 1,
  }, 'test');
}

function scene(): { x: Float32Array; shots: number[] } {
  const r = createRandom(5);
  const x = new Float32Array(20 * RATE);
  for (let i = 0; i < x.length; i++) x[i] = (r.next() - 0.5) * 0.004;
  // A single shot, a burst of three 120 ms apart, and a quiet tap (rises < 20 dB).
  const shots = [3 * RATE + 17, 9 * RATE + 101, 9 * RATE + 101 + 1920, 9 * RATE + 101 + 3840];
  for (const s of shots) for (let k = 0; k < 1200; k++) x[s + k] += 0.6 * Math.exp(-k / 150) * Math.sin(k * 0.9);
  for (let k = 0; k < 600; k++) x[15 * RATE + k] += 0.01 * Math.exp(-k / 100) * Math.sin(k * 0.9);
  return { x, shots };
}

describe('OnsetStream', () => {
  it('finds the same alarms chunk by chunk as over the whole signal, onsets to the sample', () => {
    const model = riseModel();
    const { x, shots } = scene();
    const offline = detectGunshots(x, model);
    expect(offline.map((a) => a.shotSamples.length)).toEqual([1, 3]);
    offline.flatMap((a) => a.shotSamples).forEach((s, i) => expect(Math.abs(s - shots[i])).toBeLessThanOrEqual(4));
    const stream = new OnsetStream(model, RATE);
    const messages: GunshotAlarmMessage[] = [];
    for (let at = 0; at < x.length; at += 1234) messages.push(...stream.push(x.subarray(at, at + 1234)));
    messages.push(...stream.end());
    const ended = messages.filter((m) => m.type === 'end').map((m) => m.alarm);
    expect(ended).toEqual(offline);
    expect(messages.filter((m) => m.type === 'update')).toHaveLength(2);
    // An alarm ends once the burst gap has passed: before the stream ends, not at it.
    expect(messages.findIndex((m) => m.type === 'end')).toBeLessThan(messages.findIndex((m) => m.type === 'start' && m.alarm.onsetSample > 8 * RATE));
  });

  it('scores from the same audio as the whole-signal pass whatever the chunk sizes (the kept audio is compacted and grown in place)', () => {
    // Every feature weighs in (seeded weights) and every trigger is accepted, so each alarm's peak score depends on the audio around each onset.
    const r = createRandom(8);
    const model = parseOnsetModel({
      format: 'ecosight-onset-mlp/1', version: 'test', inputSize: ONSET_FEATURES,
      mean: new Array<number>(ONSET_FEATURES).fill(0), std: new Array<number>(ONSET_FEATURES).fill(1),
      layers: [{ inputs: ONSET_FEATURES, outputs: 1, weights: Array.from({ length: ONSET_FEATURES }, () => r.next() - 0.5), bias: [0], activation: 'sigmoid' }],
      threshold: 0, burstGapSec: 0.05,
    }, 'test');
    const { x } = scene();
    const offline = detectGunshots(x, model);
    expect(offline.length).toBeGreaterThanOrEqual(4);
    const stream = new OnsetStream(model, RATE);
    const messages: GunshotAlarmMessage[] = [];
    const sizes = [500, 7, 20000, 1234, 3 * RATE, 160, 41000];
    for (let at = 0, n = 0; at < x.length; n++) {
      const size = sizes[n % sizes.length];
      messages.push(...stream.push(x.subarray(at, at + size)));
      at += size;
    }
    messages.push(...stream.end());
    expect(messages.filter((m) => m.type === 'end').map((m) => m.alarm)).toEqual(offline);
  });

  it('does not score triggers inside an impulsive texture that could not start an alarm, and still finds what the whole-signal pass finds', () => {
    const model = riseModel();
    const r = createRandom(6);
    const x = new Float32Array(20 * RATE);
    for (let i = 0; i < x.length; i++) x[i] = (r.next() - 0.5) * 0.004;
    const addShot = (at: number, amplitude: number, decay: number) => {
      for (let k = 0; k < 1200; k++) x[at + k] += amplitude * Math.exp(-k / decay) * Math.sin(k * 0.9);
    };
    // Rain-like taps (rise < 20 dB) every 0.3 s from 2 to 10 s; a loud shot inside them and one after them.
    for (let t = 2; t < 10; t += 0.3) addShot(Math.round(t * RATE), 0.01, 100);
    addShot(Math.round(7.05 * RATE), 0.6, 150);
    addShot(14 * RATE, 0.6, 150);
    const offline = detectGunshots(x, model);
    expect(offline.map((a) => Math.round(a.onsetSample / RATE))).toEqual([14]);
    const stream = new OnsetStream(model, RATE);
    const messages: GunshotAlarmMessage[] = [];
    for (let at = 0; at < x.length; at += 4000) messages.push(...stream.push(x.subarray(at, at + 4000)));
    messages.push(...stream.end());
    expect(messages.filter((m) => m.type === 'end').map((m) => m.alarm)).toEqual(offline);
    expect(stream.triggers).toBeGreaterThanOrEqual(20);
    expect(stream.scored).toBeLessThan(stream.triggers - 10);
  });
});
