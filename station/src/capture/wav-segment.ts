import type { WavFileReader } from '#shared/audio/wav-file-reader.js';
import { describeError } from '#shared/errors.js';
import type { Clock } from '../core/clock.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import type { SegmentInfo } from '../core/segment.js';
import type { SourceEvent } from './audio-source.js';

export interface SegmentReplay {
  chunkSec: number;
  /** Deliver each chunk no earlier than its audio time (a live-like replay). */
  pace?: Clock;
  /** Told the wall time of the newest sample delivered. */
  onAudio(audioTimeMs: number): void;
}

/** How a replay ended: `error` set when the file could not be read to its end. */
export interface ReplayOutcome {
  aborted: boolean;
  error: string | undefined;
}

/**
 * Yields one WAV file as a segment: segment-start, its audio in chunks, then
 * segment-end (eof, stopped, or error with the reason). The file and folder
 * sources share this; what they do around it (loops, dispositions) differs.
 */
export async function* replaySegment(reader: WavFileReader, segment: SegmentInfo, replay: SegmentReplay, signal: AbortSignal): AsyncGenerator<SourceEvent, ReplayOutcome> {
  yield { type: 'segment-start', segment };
  let delivered = 0;
  let error: string | undefined;
  try {
    for await (const samples of reader.chunks(replay.chunkSec)) {
      if (signal.aborted) break;
      if (replay.pace) {
        await replay.pace.sleepUntil(segment.startTimeMs + ((delivered + samples.length) * 1000) / SAMPLE_RATE_HZ, signal);
        if (signal.aborted) break;
      }
      const startSample = delivered;
      delivered += samples.length;
      replay.onAudio(segment.startTimeMs + (delivered * 1000) / SAMPLE_RATE_HZ);
      yield { type: 'audio', startSample, samples };
    }
  } catch (err) {
    error = describeError(err);
  }
  if (error) yield { type: 'segment-end', reason: 'error', error };
  else yield { type: 'segment-end', reason: signal.aborted ? 'stopped' : 'eof' };
  return { aborted: signal.aborted, error };
}
