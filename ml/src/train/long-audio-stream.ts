import { shuffledIndices, type Random } from '#shared/util/random.js';
import type { TimedEvent } from './events.js';
import type { LabelledClip } from './types.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/** Cross-fade where an event clip replaces the stream: short, so the event's onset is untouched. */
const SPLICE_FADE_SAMPLES = 800;
/** Cross-fade between background clips: long, so a join never sounds like an onset. */
const CROSSFADE_SAMPLES = 4000;
/** Default piece size of LongAudio.chunks: about a minute at 16 kHz. */
export const LONG_AUDIO_CHUNK_SAMPLES = 1 << 20;

/**
 * A long synthetic recording that is never held whole: it is a plan (which
 * clip goes where, at what gain) rendered a chunk at a time whenever it is
 * read, so 30 minutes of audio cost a few megabytes at a time instead of
 * 115 MB of Float32. Reading it twice gives the same samples.
 */
export interface LongAudio {
  lengthSamples: number;
  events: TimedEvent[];
  /** Clip ids used, in order (for the report). */
  sources: string[];
  /** The samples in order, in pieces of at most `chunkSamples` (default LONG_AUDIO_CHUNK_SAMPLES). */
  chunks(chunkSamples?: number): Iterable<Float32Array>;
}

/** One background clip's place in an alarm-free stream (see alarmFreeAudio). */
interface Placement {
  clip: LabelledClip;
  start: number;
  /** Samples of the clip used (the last one may be cut short). */
  n: number;
  gain: number;
  fade: number;
}

/** One alarm-class clip spliced into a stream (see withEventsAudio). */
interface Splice {
  clip: LabelledClip;
  at: number;
}

/**
 * The plan of an alarm-free stream (see long-audio.ts alarmFreeStream for
 * what it sounds like): the same random draws in the same order as rendering
 * it whole, so rendering the plan gives exactly the same samples.
 */
export function alarmFreeAudio(clips: readonly LabelledClip[], alarmClass: string, seconds: number, rand: Random): LongAudio {
  const lengths = clips.map((c) => (c.labels.includes(alarmClass) ? 0 : clipLength(c)));
  const pool = clips.filter((_, i) => lengths[i] > 0);
  const poolLengths = lengths.filter((n) => n > 0);
  const lengthSamples = pool.length === 0 ? 0 : Math.round(seconds * SAMPLE_RATE_HZ);
  const placements: Placement[] = [];
  let at = 0;
  let order = shuffledIndices(pool.length, rand);
  let next = 0;
  while (at < lengthSamples && pool.length > 0) {
    if (next === order.length) {
      order = shuffledIndices(pool.length, rand);
      next = 0;
    }
    const k = order[next++];
    const gain = 10 ** (rand.uniform(-6, 6) / 20);
    const fade = Math.min(CROSSFADE_SAMPLES, Math.floor(poolLengths[k] / 2));
    const start = Math.max(0, at - fade);
    const n = Math.min(poolLengths[k], lengthSamples - start);
    placements.push({ clip: pool[k], start, n, gain, fade });
    at = start + n;
  }
  return {
    lengthSamples, events: [], sources: placements.map((p) => p.clip.id),
    chunks: (size = LONG_AUDIO_CHUNK_SAMPLES) => rendered(lengthSamples, size, (from, to) => renderPlacements(placements, from, to)),
  };
}

/**
 * `background` with the alarm-class clips spliced in at random times (see
 * long-audio.ts eventStream); the splices are planned up front (they depend
 * only on the clips' lengths and the random draws) and applied to each chunk
 * of the background as it is rendered.
 */
export function withEventsAudio(background: LongAudio, positives: readonly LabelledClip[], alarmClass: string, rand: Random): LongAudio {
  const { splices, events } = planSplices(background.lengthSamples, positives, alarmClass, rand);
  return {
    lengthSamples: background.lengthSamples, events, sources: splices.map((s) => s.clip.id),
    chunks: (size = LONG_AUDIO_CHUNK_SAMPLES) => spliced(background.chunks(size), splices),
  };
}

/** The splices and their labelled events over a stream of `lengthSamples`. */
export function planSplices(lengthSamples: number, positives: readonly LabelledClip[], alarmClass: string, rand: Random): { splices: Splice[]; events: TimedEvent[] } {
  const splices: Splice[] = [];
  const events: TimedEvent[] = [];
  let at = Math.round(rand.uniform(1, 4) * SAMPLE_RATE_HZ);
  for (const i of shuffledIndices(positives.length, rand)) {
    const clip = positives[i];
    const samples = clip.samples;
    if (at + samples.length >= lengthSamples) break;
    splices.push({ clip, at });
    const [onset, offset] = activeSpan(samples);
    events.push({ onsetSec: (at + onset) / SAMPLE_RATE_HZ, offsetSec: (at + offset) / SAMPLE_RATE_HZ, label: alarmClass });
    at += samples.length + Math.round(rand.uniform(4, 12) * SAMPLE_RATE_HZ);
  }
  return { splices, events };
}

/** Applies the splices that overlap out's span [from, from + out.length). */
export function applySplices(out: Float32Array, from: number, splices: readonly Splice[]): void {
  const to = from + out.length;
  for (const s of splices) {
    if (s.at >= to) break;
    const clip = s.clip.samples;
    if (s.at + clip.length <= from) continue;
    const n = clip.length;
    const fade = Math.max(1, Math.min(SPLICE_FADE_SAMPLES, Math.floor(n / 2)));
    for (let i = Math.max(0, from - s.at); i < n && s.at + i < to; i++) {
      const edge = Math.min(i, n - 1 - i);
      const ramp = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
      const j = s.at + i - from;
      out[j] = out[j] * (1 - ramp) + clip[i] * ramp;
    }
  }
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

/** samples [from, to) of an alarm-free plan: each overlapping clip added with its gain and raised-cosine fades, in plan order. */
function renderPlacements(placements: readonly Placement[], from: number, to: number): Float32Array {
  const out = new Float32Array(to - from);
  for (const p of placements) {
    if (p.start >= to) break;
    if (p.start + p.n <= from) continue;
    const clip = p.clip.samples;
    const fade = Math.max(1, Math.min(p.fade, Math.floor(p.n / 2)));
    for (let i = Math.max(0, from - p.start); i < p.n && p.start + i < to; i++) {
      const edge = Math.min(i, p.n - 1 - i);
      const ramp = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
      out[p.start + i - from] += clip[i] * p.gain * ramp;
    }
  }
  return out;
}

function* rendered(lengthSamples: number, size: number, render: (from: number, to: number) => Float32Array): Generator<Float32Array> {
  for (let from = 0; from < lengthSamples; from += size) yield render(from, Math.min(lengthSamples, from + size));
}

function* spliced(chunks: Iterable<Float32Array>, splices: readonly Splice[]): Generator<Float32Array> {
  let from = 0;
  for (const chunk of chunks) {
    applySplices(chunk, from, splices);
    from += chunk.length;
    yield chunk;
  }
}

/** A clip's length in samples, without reading clips held on disk when they say it. */
export function clipLength(c: LabelledClip): number {
  return c.lengthSamples ?? c.samples.length;
}

/** Every sample of a LongAudio in one array (for callers that need it whole; the retrain path never does). */
export function renderWhole(audio: LongAudio): Float32Array {
  const out = new Float32Array(audio.lengthSamples);
  let at = 0;
  for (const chunk of audio.chunks()) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
