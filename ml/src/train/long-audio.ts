import type { Random } from '#shared/util/random.js';
import type { TimedEvent } from './events.js';
import { alarmFreeAudio, applySplices, planSplices, renderWhole, type LongAudio } from './long-audio-stream.js';
import type { LabelledClip } from './types.js';

export { activeSpan, type LongAudio } from './long-audio-stream.js';

/** A long synthetic recording with its labelled events, held whole (see LongAudio for the streamed form). */
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
 * Held whole; long-audio-stream.ts alarmFreeAudio is the same audio a chunk at a time.
 */
export function alarmFreeStream(clips: readonly LabelledClip[], alarmClass: string, seconds: number, rand: Random): LongRecording {
  const audio = alarmFreeAudio(clips, alarmClass, seconds, rand);
  return { samples: renderWhole(audio), events: audio.events, sources: audio.sources };
}

/**
 * An alarm-free stream with the alarm-class clips spliced in at random times
 * (4-12 s apart), replacing the stream there with 50 ms cross-fades: a clip
 * already holds its event at a known SNR over its own background, and adding
 * it on top of, say, loud music would bury it at an arbitrary one. Each event's
 * onset is where the clip first gets within 20 dB of its peak level (sound
 * files often start with a little silence).
 * Held whole; long-audio-stream.ts withEventsAudio is the same audio a chunk at a time.
 */
export function eventStream(background: Float32Array, positives: readonly LabelledClip[], alarmClass: string, rand: Random): LongRecording {
  const samples = Float32Array.from(background);
  const { splices, events } = planSplices(samples.length, positives, alarmClass, rand);
  applySplices(samples, 0, splices);
  return { samples, events, sources: splices.map((s) => s.clip.id) };
}

/** A recording held whole, read as a LongAudio. */
export function wholeAudio(rec: LongRecording): LongAudio {
  return { lengthSamples: rec.samples.length, events: rec.events, sources: rec.sources, chunks: () => [rec.samples] };
}
