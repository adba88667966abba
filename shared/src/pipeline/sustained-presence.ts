/**
 * Sustained presence of one class: logging is not an instant but minutes of
 * saw, so a logging alert starts when the class is present in most windows of
 * a sliding span (e.g. 20 s of 30 s), is updated while it lasts, and ends when
 * the class has all but gone from the span. A vehicle passing by for ten
 * seconds never fills 20 s of a 30 s span. Pure and synchronous: the station's
 * logging stage and the offline evaluation (`npm run eval:chainsaw`) share it.
 */
export interface SustainedPresenceOptions {
  sampleRateHz: number;
  /** Hop between windows, s: each positive window counts for this much presence. */
  hopSec: number;
  /** Score at or above which a window counts as present. */
  threshold: number;
  /** Length of the sliding span, s. Default 30. */
  spanSec: number;
  /** Start when presence within the span reaches this, s. Default 20. */
  minPresentSec: number;
  /** End when presence within the span falls below this, s. Default 3 (about a span of quiet). */
  endBelowPresentSec: number;
  /** While it lasts, an `update` at most this often (audio time), s. Default 30. */
  updateEverySec: number;
}

export const DEFAULT_PRESENCE: Omit<SustainedPresenceOptions, 'sampleRateHz' | 'hopSec' | 'threshold'> = {
  spanSec: 30,
  minPresentSec: 20,
  endBelowPresentSec: 3,
  updateEverySec: 30,
};

/** One stretch of sustained presence, in samples of the segment. */
export interface PresenceRun {
  /** Start of the first present window of the stretch (within the span that raised it). */
  onsetSample: number;
  /** End of the latest present window. */
  lastPresentSample: number;
  /** Present windows from onset on. */
  presentWindows: number;
  /** Highest and mean score of the present windows. */
  peakScore: number;
  meanScore: number;
}

export interface PresenceTransition {
  type: 'start' | 'update' | 'end';
  run: PresenceRun;
  /** End of the window that caused the transition (or the segment's end). */
  atSample: number;
}

interface WindowMark {
  start: number;
  end: number;
  score: number;
}

export class SustainedPresence {
  private span: WindowMark[] = [];
  private run: (PresenceRun & { scoreSum: number; lastUpdateSample: number }) | undefined;

  constructor(private options: SustainedPresenceOptions) {}

  /** A new model brings a new threshold; the span's scores are judged by it from now on. */
  setThreshold(threshold: number): void {
    this.options = { ...this.options, threshold };
  }

  get active(): boolean {
    return this.run !== undefined;
  }

  /** One window's score for the class; returns what changed. */
  push(startSample: number, endSample: number, score: number): PresenceTransition[] {
    const o = this.options;
    const spanSamples = o.spanSec * o.sampleRateHz;
    this.span.push({ start: startSample, end: endSample, score });
    while (this.span.length > 0 && this.span[0].start < endSample - spanSamples) this.span.shift();
    const present = this.span.filter((w) => w.score >= o.threshold);
    const presentSec = present.length * o.hopSec;
    if (!this.run) {
      if (presentSec + 1e-9 < o.minPresentSec) return [];
      const scoreSum = present.reduce((s, w) => s + w.score, 0);
      this.run = {
        onsetSample: present[0].start, lastPresentSample: present[present.length - 1].end, presentWindows: present.length,
        peakScore: Math.max(...present.map((w) => w.score)), meanScore: scoreSum / present.length, scoreSum, lastUpdateSample: endSample,
      };
      return [{ type: 'start', run: this.snapshot(), atSample: endSample }];
    }
    const run = this.run;
    if (score >= o.threshold) {
      run.lastPresentSample = endSample;
      run.presentWindows++;
      run.scoreSum += score;
      run.meanScore = run.scoreSum / run.presentWindows;
      run.peakScore = Math.max(run.peakScore, score);
    }
    if (presentSec < o.endBelowPresentSec) return this.end(endSample);
    if (endSample - run.lastUpdateSample >= o.updateEverySec * o.sampleRateHz) {
      run.lastUpdateSample = endSample;
      return [{ type: 'update', run: this.snapshot(), atSample: endSample }];
    }
    return [];
  }

  /** Ends an open run (segment over, or presence gone); the span is cleared. */
  end(atSample: number): PresenceTransition[] {
    const run = this.run;
    this.run = undefined;
    this.span = [];
    return run ? [{ type: 'end', run: this.snapshotOf(run), atSample }] : [];
  }

  /** Forgets everything without reporting (a new segment after end()). */
  reset(): void {
    this.run = undefined;
    this.span = [];
  }

  private snapshot(): PresenceRun {
    return this.snapshotOf(this.run as PresenceRun);
  }

  private snapshotOf(run: PresenceRun): PresenceRun {
    const { onsetSample, lastPresentSample, presentWindows, peakScore, meanScore } = run;
    return { onsetSample, lastPresentSample, presentWindows, peakScore, meanScore };
  }
}
