import { basename } from 'node:path';
import { WavFileReader } from '#shared/audio/wav-file-reader.js';
import { describeError } from '#shared/errors.js';
import type { Clock } from '../core/clock.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import type { AudioSource, SourceEvent, SourceStats } from './audio-source.js';
import { fileSha256 } from './file-identity.js';
import { replaySegment } from './wav-segment.js';

export interface FileSourceOptions {
  path: string;
  /** Pace delivery in real time (a live-like replay) instead of as fast as possible. */
  realtime: boolean;
  /** Replay again from the start at the end (each pass is its own segment). */
  loop: boolean;
  /** Chunk length delivered per event. */
  chunkSec: number;
}

/**
 * Replays one WAV file. The segment id is derived from the file's content (and
 * the loop pass), so replaying the same file after a crash yields the same
 * event ids and nothing is stored twice.
 */
export class FileSource implements AudioSource {
  readonly kind = 'file' as const;
  private lastAudioTimeMs: number | null = null;

  constructor(private readonly options: FileSourceOptions, private readonly clock: Clock) {}

  stats(): SourceStats {
    return { droppedChunks: 0, restarts: 0, gaps: 0, lastAudioTimeMs: this.lastAudioTimeMs };
  }

  async *events(signal: AbortSignal): AsyncGenerator<SourceEvent> {
    const { path } = this.options;
    let identity: Awaited<ReturnType<typeof fileSha256>>;
    const reader = new WavFileReader(path);
    try {
      identity = await fileSha256(path);
      await reader.probe();
    } catch (err) {
      yield { type: 'rejected', path, error: describeError(err) };
      return;
    }
    for (let pass = 0; !signal.aborted; pass++) {
      const segment = {
        id: `file:${identity.sha256.slice(0, 32)}:${pass}`,
        kind: 'file' as const,
        source: basename(path),
        startTimeMs: this.clock.now(),
        sampleRateHz: SAMPLE_RATE_HZ,
        file: { path, sha256: identity.sha256, sizeBytes: identity.sizeBytes },
      };
      const outcome = yield* replaySegment(reader, segment, {
        chunkSec: this.options.chunkSec,
        pace: this.options.realtime ? this.clock : undefined,
        onAudio: (t) => {
          this.lastAudioTimeMs = t;
        },
      }, signal);
      if (outcome.error || !this.options.loop) return;
    }
  }
}
