import { describe, expect, it } from 'vitest';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { YAMNET_FRONT_END } from '#shared/features/params.js';
import { createRandom } from '#shared/util/random.js';
import { buildModel } from './architecture.js';
import { alarmFreeStream, eventStream } from './long-audio.js';
import { alarmFreeAudio, renderWhole, withEventsAudio, type LongAudio } from './long-audio-stream.js';
import { scoreSignal, scoreStream } from './score-signal.js';
import type { LabelledClip } from './types.js';

/** Clips of 0.5-3 s of seeded noise with a loud burst; every fourth one is a gunshot. */
function clips(n: number): LabelledClip[] {
  return Array.from({ length: n }, (_, i) => {
    const rand = createRandom(`clip-${i}`);
    const samples = new Float32Array(8000 + rand.int(0, 40000));
    for (let k = 0; k < samples.length; k++) samples[k] = 0.05 * (rand.next() * 2 - 1);
    const at = rand.int(0, samples.length - 800);
    for (let k = at; k < at + 800; k++) samples[k] *= 10;
    return { id: `c${i}`, samples, labels: [i % 4 === 0 ? 'gunshot' : 'rain'], group: `c${i}` };
  });
}

/** Bit-for-bit equality of two sample arrays (vitest's toEqual is far too slow on millions of values). */
function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
}

function joined(audio: LongAudio, chunkSamples: number): Float32Array {
  const out = new Float32Array(audio.lengthSamples);
  let at = 0;
  for (const chunk of audio.chunks(chunkSamples)) {
    expect(chunk.length).toBeLessThanOrEqual(chunkSamples);
    out.set(chunk, at);
    at += chunk.length;
  }
  expect(at).toBe(audio.lengthSamples);
  return out;
}

describe('long audio rendered a chunk at a time', () => {
  const data = clips(24);

  it('gives the same samples as the whole alarm-free stream, whatever the chunk size, every time it is read', () => {
    const whole = alarmFreeStream(data, 'gunshot', 40, createRandom('a'));
    const streamed = alarmFreeAudio(data, 'gunshot', 40, createRandom('a'));
    expect(streamed.sources).toEqual(whole.sources);
    for (const size of [1000, 12_345, 1 << 20]) expectSameBits(joined(streamed, size), whole.samples);
    expectSameBits(renderWhole(streamed), whole.samples);
  });

  it('splices the same events into the same places as the whole event stream', () => {
    const background = alarmFreeAudio(data, 'gunshot', 60, createRandom('b'));
    const positives = data.filter((c) => c.labels.includes('gunshot'));
    const whole = eventStream(renderWhole(background), positives, 'gunshot', createRandom('e'));
    const streamed = withEventsAudio(background, positives, 'gunshot', createRandom('e'));
    expect(streamed.events).toEqual(whole.events);
    expect(streamed.events.length).toBe(positives.length);
    for (const size of [7777, 100_000]) expectSameBits(joined(streamed, size), whole.samples);
  });
});

describe('scoreStream', () => {
  it('scores a signal read in chunks exactly as scoreSignal scores it whole', () => {
    const frontEnd = new LogMelFrontEnd(YAMNET_FRONT_END);
    const model = buildModel({ classCount: 3, patchShape: [YAMNET_FRONT_END.patchFrames, YAMNET_FRONT_END.melBands], normalisation: { mean: 0, std: 1 }, seed: 1 });
    // about 270 windows: several scoring segments (64 windows each), meeting across chunk borders.
    const audio = alarmFreeAudio(clips(12), 'gunshot', 130, createRandom('s'));
    const whole = scoreSignal(model, frontEnd, renderWhole(audio));
    expect(whole.windows).toBeGreaterThan(256);
    const streamed = scoreStream(model, frontEnd, { lengthSamples: audio.lengthSamples, chunks: () => audio.chunks(50_000) });
    expect(streamed.windows).toBe(whole.windows);
    expectSameBits(streamed.scores, whole.scores);
    model.dispose();
  });
});
