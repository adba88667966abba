import type { LogMelFrontEnd } from '../features/log-mel.js';
import type { AnalysisWindow, FeatureWindow } from './types.js';

/**
 * Turns windows into log-mel patches. Consecutive windows overlap (0.48 s hop,
 * 0.96 s window), so frames are cached by their absolute position and each
 * STFT frame of a segment is computed once, not twice.
 */
export class Featurizer {
  private readonly cache = new Map<number, Float32Array>();
  private readonly bands: number;
  private readonly frames: number;
  private readonly hopSamples: number;

  constructor(private readonly frontEnd: LogMelFrontEnd) {
    this.bands = frontEnd.params.melBands;
    this.frames = frontEnd.params.patchFrames;
    this.hopSamples = frontEnd.geometry.hopSamples;
  }

  /** Drops cached frames (new segment, or a hole in the audio). */
  reset(): void {
    this.cache.clear();
  }

  featurize(windows: readonly AnalysisWindow[]): FeatureWindow[] {
    return windows.map((window) => ({ window, patch: this.patchOf(window) }));
  }

  private patchOf(window: AnalysisWindow): Float32Array {
    const patch = new Float32Array(this.frames * this.bands);
    // Frames of a padded tail window include zeros that later audio would not: never cache those.
    const cacheable = window.endSample - window.startSample === window.samples.length && window.startSample % this.hopSamples === 0;
    for (let f = 0; f < this.frames; f++) {
      const absolute = window.startSample / this.hopSamples + f;
      const cached = cacheable ? this.cache.get(absolute) : undefined;
      if (cached) {
        patch.set(cached, f * this.bands);
        continue;
      }
      this.frontEnd.frameAt(window.samples, f * this.hopSamples, patch, f * this.bands);
      if (cacheable) this.cache.set(absolute, patch.slice(f * this.bands, (f + 1) * this.bands));
    }
    if (cacheable) this.evictBefore(window.startSample / this.hopSamples);
    return patch;
  }

  private evictBefore(frame: number): void {
    for (const key of this.cache.keys()) {
      if (key < frame) this.cache.delete(key);
      else break; // Map iterates in insertion order, which is ascending here.
    }
  }
}
