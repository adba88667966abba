import type { LogMelFrontEnd } from '../features/log-mel.js';
import type { AnalysisWindow, FeatureWindow } from './types.js';

/**
 * Turns windows into log-mel patches. Consecutive windows overlap (0.48 s hop,
 * 0.96 s window), so frames are cached by their absolute position and each
 * STFT frame of a segment is computed once, not twice. The cache is a ring of
 * two patches' frames, slot = absolute frame mod ring size, each slot tagged
 * with the frame it holds: no allocation per frame.
 */
export class Featurizer {
  private readonly ring: Float32Array;
  /** Absolute frame index held by each slot (-1: none). */
  private readonly held: Float64Array;
  private readonly bands: number;
  private readonly frames: number;
  private readonly hopSamples: number;

  constructor(private readonly frontEnd: LogMelFrontEnd) {
    this.bands = frontEnd.params.melBands;
    this.frames = frontEnd.params.patchFrames;
    this.hopSamples = frontEnd.geometry.hopSamples;
    this.held = new Float64Array(2 * this.frames).fill(-1);
    this.ring = new Float32Array(this.held.length * this.bands);
  }

  /** Drops cached frames (new segment, or a hole in the audio). */
  reset(): void {
    this.held.fill(-1);
  }

  featurize(windows: readonly AnalysisWindow[]): FeatureWindow[] {
    return windows.map((window) => ({ window, patch: this.patchOf(window) }));
  }

  private patchOf(window: AnalysisWindow): Float32Array {
    const { bands, ring, held } = this;
    const patch = new Float32Array(this.frames * bands);
    // Frames of a padded tail window include zeros that later audio would not: never cache those.
    const cacheable = window.endSample - window.startSample === window.samples.length && window.startSample % this.hopSamples === 0;
    for (let f = 0; f < this.frames; f++) {
      const absolute = window.startSample / this.hopSamples + f;
      const slot = absolute % held.length;
      if (cacheable && held[slot] === absolute) {
        for (let b = 0; b < bands; b++) patch[f * bands + b] = ring[slot * bands + b];
        continue;
      }
      this.frontEnd.frameAt(window.samples, f * this.hopSamples, patch, f * bands);
      if (cacheable) {
        for (let b = 0; b < bands; b++) ring[slot * bands + b] = patch[f * bands + b];
        held[slot] = absolute;
      }
    }
    return patch;
  }
}
