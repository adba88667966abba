import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256Hex } from '#shared/manifest/canonical-json.js';
import { writeFileAtomic } from '#shared/util/atomic-file.js';
import type { DetectionEvent } from '#shared/pipeline/types.js';
import type { RecentAudio } from './recent-audio.js';
import type { ClipEncoder } from './clip-encoder.js';

export interface ClipperOptions {
  sampleRateHz: number;
  preRollSamples: number;
  postRollSamples: number;
  /** Root of the clip folder; clips go to <root>/<relativePath>. */
  clipsDir: string;
  /** WAV, FLAC or Opus (clip-encoder.ts); the relative path's extension must match its codec. */
  encoder: ClipEncoder;
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
 * Cuts each ended event's audio, with pre- and post-roll, from the recent audio
 * and writes it, encoded in memory first, atomically (temp + fsync + rename) before
 * anyone records it in the database: a failed or killed encoder leaves no file.
 */
export class Clipper {
  private pending: PendingClip[] = [];

  constructor(private readonly options: ClipperOptions, private readonly recent: RecentAudio) {}

  /** New segment: clips still waiting can no longer get their audio. */
  reset(): void {
    this.pending = [];
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
    const ready = this.pending.filter((p) => final || this.recent.newest >= p.endSample);
    if (ready.length > 0) this.pending = this.pending.filter((p) => !ready.includes(p));
    return ready;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Writes one clip atomically; throws on I/O errors (disk full) so the caller can free space and retry. */
  async write(p: PendingClip): Promise<WrittenClip> {
    const { samples, startSample, endSample } = this.recent.read(p.startSample, p.endSample);
    const bytes = await this.options.encoder.encode(samples, this.options.sampleRateHz);
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
