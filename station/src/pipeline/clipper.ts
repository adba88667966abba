import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AudioRingBuffer } from '#shared/audio/ring-buffer.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { sha256Hex } from '#shared/manifest/canonical-json.js';
import { writeFileAtomic } from '#shared/util/atomic-file.js';
import type { DetectionEvent } from '#shared/pipeline/types.js';

export interface ClipperOptions {
  sampleRateHz: number;
  preRollSamples: number;
  postRollSamples: number;
  /** Longest event the ring buffer must hold (plus the rolls). */
  maxEventSamples: number;
  /** Root of the clip folder; clips go to <root>/<relativePath>. */
  clipsDir: string;
}

/** A clip waiting for its post-roll audio. */
export interface PendingClip {
  event: DetectionEvent;
  /** Path under clipsDir (mirrors the object key). */
  relativePath: string;
  startSample: number;
  endSample: number;
}

export interface WrittenClip {
  event: DetectionEvent;
  path: string;
  bytes: number;
  sha256: string;
  durationSec: number;
  /** Segment sample range actually in the clip (shorter than asked at a segment's edges). */
  startSample: number;
  endSample: number;
}

/**
 * Cuts each ended event's audio, with pre- and post-roll, from a ring buffer and
 * writes it as a 16-bit WAV atomically (temp + fsync + rename) before anyone
 * records it in the database.
 */
export class Clipper {
  private readonly ring: AudioRingBuffer;
  private pending: PendingClip[] = [];

  constructor(private readonly options: ClipperOptions) {
    const slack = 4 * options.sampleRateHz; // a window, a chunk and jitter
    this.ring = new AudioRingBuffer(options.preRollSamples + options.maxEventSamples + options.postRollSamples + slack);
  }

  /** New segment: old audio can no longer be part of a clip. */
  reset(): void {
    this.ring.reset(0);
    this.pending = [];
  }

  audio(startSample: number, samples: Float32Array): void {
    if (startSample < this.ring.newest) this.ring.reset(startSample);
    this.ring.write(samples, startSample);
  }

  /** Audio of [start, end) if still held (shot counting, alerts). */
  read(startSample: number, endSample: number): Float32Array {
    return this.ring.read(startSample, endSample).samples;
  }

  /** Like read, with the span actually held (the start moves up when older audio is gone). */
  readSpan(startSample: number, endSample: number): { samples: Float32Array; startSample: number } {
    return this.ring.read(startSample, endSample);
  }

  schedule(event: DetectionEvent, relativePath: string): void {
    this.pending.push({
      event,
      relativePath,
      startSample: Math.max(0, event.startSample - this.options.preRollSamples),
      endSample: event.endSample + this.options.postRollSamples,
    });
  }

  /** Clips whose post-roll has arrived (or all of them when `final`); the caller writes them. */
  takeReady(final: boolean): PendingClip[] {
    const ready = this.pending.filter((p) => final || this.ring.newest >= p.endSample);
    if (ready.length > 0) this.pending = this.pending.filter((p) => !ready.includes(p));
    return ready;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Writes one clip atomically; throws on I/O errors (disk full) so the caller can free space and retry. */
  async write(p: PendingClip): Promise<WrittenClip> {
    const { samples, startSample, endSample } = this.ring.read(p.startSample, p.endSample);
    const bytes = encodeWav16(samples, this.options.sampleRateHz);
    const path = join(this.options.clipsDir, p.relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
    return {
      event: p.event,
      path,
      bytes: bytes.byteLength,
      sha256: sha256Hex(bytes),
      durationSec: samples.length / this.options.sampleRateHz,
      startSample,
      endSample,
    };
  }
}
