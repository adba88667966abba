import { shuffledIndices, type Random } from '#shared/util/random.js';
import type { TimedEvent } from './events.js';
import type { LabelledClip } from './types.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/** Cross-fade where an event clip replaces the stream: short, so the event's onset is untouched. */
const SPLICE_FADE_SAMPLES = 800;
/** Cross-fade between background clips: long, so a join never sounds like an onset. */
const CROSSFADE_SAMPLES = 4000;

/** A long synthetic recording with its labelled events. */
export interface LongRecording {
  samples: Float32Array;
  events: TimedEvent[];
  /** Clip ids used, in order (for the report). */
  sources: string[];
}

/**
 * Hours of "field audio" without the alarm class, made by concatenating the
 * given clips (that lack it) in random order, each at a random gain of +/-6 dB,
 * overlapping by 0.25 s with raised-cosine cross-fades: a hard join between two
 * unrelated recordings is a sudden broadband onset, which no field recording
 * has and which a gunshot detector rightly flags. Clips
 * repeat when there is less material than `seconds`; that makes the false-alarm
 * estimate optimistic for rare confusers, which the docs say.
 */
export function alarmFreeStream(clips: readonly LabelledClip[], alarmClass: string, seconds: number, rand: Random): LongRecording {
  const pool = clips.filter((c) => !c.labels.includes(alarmClass) && c.samples.length > 0);
  const samples = new Float32Array(pool.length === 0 ? 0 : Math.round(seconds * SAMPLE_RATE_HZ));
  const sources: string[] = [];
  let at = 0;
  let order = shuffledIndices(pool.length, rand);
  let next = 0;
  while (at < samples.length && pool.length > 0) {
    if (next === order.length) {
      order = shuffledIndices(pool.length, rand);
      next = 0;
    }
    const clip = pool[order[next++]];
    const gain = 10 ** (rand.uniform(-6, 6) / 20);
    const fade = Math.min(CROSSFADE_SAMPLES, Math.floor(clip.samples.length / 2));
    const start = Math.max(0, at - fade);
    at = start + addFaded(samples, clip.samples, start, gain, fade);
    sources.push(clip.id);
  }
  return { samples, events: [], sources };
}

/**
 * An alarm-free stream with the alarm-class clips spliced in at random times
 * (4-12 s apart), replacing the stream there with 50 ms cross-fades: a clip
 * already holds its event at a known SNR over its own background, and adding
 * it on top of, say, loud music would bury it at an arbitrary one. Each event's
 * onset is where the clip first gets within 20 dB of its peak level (sound
 * files often start with a little silence).
 */
export function eventStream(background: Float32Array, positives: readonly LabelledClip[], alarmClass: string, rand: Random): LongRecording {
  const samples = Float32Array.from(background);
  const events: TimedEvent[] = [];
  const sources: string[] = [];
  let at = Math.round(rand.uniform(1, 4) * SAMPLE_RATE_HZ);
  for (const i of shuffledIndices(positives.length, rand)) {
    const clip = positives[i];
    if (at + clip.samples.length >= samples.length) break;
    splice(samples, clip.samples, at, SPLICE_FADE_SAMPLES);
    const [onset, offset] = activeSpan(clip.samples);
    events.push({ onsetSec: (at + onset) / SAMPLE_RATE_HZ, offsetSec: (at + offset) / SAMPLE_RATE_HZ, label: alarmClass });
    sources.push(clip.id);
    at += clip.samples.length + Math.round(rand.uniform(4, 12) * SAMPLE_RATE_HZ);
  }
  return { samples, events, sources };
}

/** Sample range from the first to the last 10 ms block within 20 dB of the loudest block. */
export function activeSpan(x: Float32Array, block = 160): [number, number] {
  const energies: number[] = [];
  for (let i = 0; i < x.length; i += block) {
    let e = 0;
    for (let j = i; j < Math.min(x.length, i + block); j++) e += x[j] * x[j];
    energies.push(e);
  }
  const peak = Math.max(...energies, 0);
  if (peak === 0) return [0, x.length];
  const first = energies.findIndex((e) => e >= peak / 100);
  let last = first;
  energies.forEach((e, i) => {
    if (e >= peak / 100) last = i;
  });
  return [first * block, Math.min(x.length, (last + 1) * block)];
}

/** Replaces out[at .. at + clip.length) by the clip, cross-fading over `fadeSamples` at both ends. */
function splice(out: Float32Array, clip: Float32Array, at: number, fadeSamples: number): void {
  const n = Math.min(clip.length, out.length - at);
  const fade = Math.max(1, Math.min(fadeSamples, Math.floor(n / 2)));
  for (let i = 0; i < n; i++) {
    const edge = Math.min(i, n - 1 - i);
    const ramp = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
    out[at + i] = out[at + i] * (1 - ramp) + clip[i] * ramp;
  }
}

/** Adds clip * gain at `at` with raised-cosine fades of `fadeSamples` at both ends; returns samples added. */
function addFaded(out: Float32Array, clip: Float32Array, at: number, gain: number, fadeSamples: number): number {
  const n = Math.min(clip.length, out.length - at);
  const fade = Math.max(1, Math.min(fadeSamples, Math.floor(n / 2)));
  for (let i = 0; i < n; i++) {
    const edge = Math.min(i, n - 1 - i);
    const ramp = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
    out[at + i] += clip[i] * gain * ramp;
  }
  return n;
}
