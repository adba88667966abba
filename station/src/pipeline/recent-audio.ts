import { AudioRingBuffer } from '#shared/audio/ring-buffer.js';

export interface RecentAudioOptions {
  sampleRateHz: number;
  preRollSamples: number;
  postRollSamples: number;
  /** Longest event the buffer must hold (plus the rolls). */
  maxEventSamples: number;
}

/**
 * The current segment's most recent audio, as it streams past: the clipper
 * cuts clips out of it and the shot counter reads an event's stretch from it,
 * so audio flows runner -> recent audio -> (clipper, shot counter) and no stage
 * reads another stage's buffer.
 */
export class RecentAudio {
  private readonly ring: AudioRingBuffer;

  constructor(options: RecentAudioOptions) {
    const slack = 4 * options.sampleRateHz; // a window, a chunk and jitter
    this.ring = new AudioRingBuffer(options.preRollSamples + options.maxEventSamples + options.postRollSamples + slack);
  }

  /** New segment: old audio belongs to no event of this one. */
  reset(): void {
    this.ring.reset(0);
  }

  write(startSample: number, samples: Float32Array): void {
    if (startSample < this.ring.newest) this.ring.reset(startSample);
    this.ring.write(samples, startSample);
  }

  /** Absolute index one past the newest sample held. */
  get newest(): number {
    return this.ring.newest;
  }

  /** The part of [start, end) still held (shorter at a segment's edges). */
  read(startSample: number, endSample: number): { samples: Float32Array; startSample: number; endSample: number } {
    return this.ring.read(startSample, endSample);
  }
}
