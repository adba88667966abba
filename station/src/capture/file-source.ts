import { basename } from 'node:path';
import { WavFileReader } from '../../../shared/src/audio/wav-file-reader.js';
import { describeError } from '../../../shared/src/errors.js';
import type { Clock } from '../system/clock.js';
import { STATION_SAMPLE_RATE_HZ, type AudioSource, type SourceEvent, type SourceStats } from './audio-source.js';
import { fileSha256 } from './file-identity.js';

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
      const startTimeMs = this.clock.now();
      yield {
        type: 'segment-start',
        segment: {
          id: `file:${identity.sha256.slice(0, 32)}:${pass}`,
          kind: 'file',
          source: basename(path),
          startTimeMs,
          sampleRateHz: STATION_SAMPLE_RATE_HZ,
          file: { path, sha256: identity.sha256, sizeBytes: identity.sizeBytes },
        },
      };
      let delivered = 0;
      let failure: string | undefined;
      try {
        for await (const samples of reader.chunks(this.options.chunkSec)) {
          if (signal.aborted) break;
          if (this.options.realtime) {
            const due = startTimeMs + ((delivered + samples.length) * 1000) / STATION_SAMPLE_RATE_HZ;
            await this.clock.sleepUntil(due, signal);
            if (signal.aborted) break;
          }
          const startSample = delivered;
          delivered += samples.length;
          this.lastAudioTimeMs = startTimeMs + (delivered * 1000) / STATION_SAMPLE_RATE_HZ;
          yield { type: 'audio', startSample, samples };
        }
      } catch (err) {
        failure = describeError(err);
      }
      if (failure) {
        yield { type: 'segment-end', reason: 'error', error: failure };
        return;
      }
      yield { type: 'segment-end', reason: signal.aborted ? 'stopped' : 'eof' };
      if (!this.options.loop) return;
    }
  }
}
