/**
 * Window scores -> events, and matching detected events against labelled ones.
 *
 * Detection here is the simplest rule (a window whose score reaches the threshold
 * is "on"; on-windows separated by at most `mergeGapWindows` off-windows form one
 * event). The station's detector adds k-of-n smoothing on top, which can only
 * remove events, so false alarms per hour measured here are an upper bound for it.
 */

/** A labelled or detected event on a recording's time line, in seconds. */
export interface TimedEvent {
  /** Best estimate of when the sound starts. */
  onsetSec: number;
  offsetSec: number;
  label?: string;
  /** Detected events: the highest window score. */
  peak?: number;
}

export interface WindowTiming {
  /** Seconds between window starts (0.48 s for the shipped front end). */
  hopSec: number;
  /** Seconds covered by one window (0.96 s + 15 ms). */
  windowSec: number;
}

/**
 * Events from one class's window scores. An event spans from the start of its
 * first on-window to the end of its last; its onset estimate is the centre of
 * the first on-window, because a window turns on for a sound anywhere inside it
 * (with 50 % overlap the centre is within half a window of the true onset).
 */
export function detectEvents(scores: ArrayLike<number>, threshold: number, timing: WindowTiming, mergeGapWindows = 1): TimedEvent[] {
  const events: TimedEvent[] = [];
  let first = -1;
  let last = -1;
  let peak = 0;
  const close = () => {
    if (first < 0) return;
    events.push({
      onsetSec: first * timing.hopSec + timing.windowSec / 2,
      offsetSec: last * timing.hopSec + timing.windowSec,
      peak,
    });
    first = -1;
  };
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) continue;
    if (first >= 0 && i - last - 1 > mergeGapWindows) close();
    if (first < 0) {
      first = i;
      peak = 0;
    }
    last = i;
    peak = Math.max(peak, scores[i]);
  }
  close();
  return events;
}

/** Start of the span a detected event covers (its onset is the first window's centre). */
export function spanStartSec(e: TimedEvent, timing: WindowTiming): number {
  return e.onsetSec - timing.windowSec / 2;
}

export interface EventMatch {
  truthEvents: number;
  detectedTruth: number;
  /**
   * Labelled events that a detection covers at all, onset or not (a burst whose
   * first shot is missed, a crack heard long before the blast the model
   * catches): how many events raise some alarm, if late.
   */
  overlappedTruth: number;
  /** Detections that overlap no labelled event (collar included). */
  falseAlarms: number;
  detections: number;
}

/**
 * Event-level matching with an onset collar:
 * - a labelled event is detected when a detection's onset is within `collarSec`
 *   of its onset, or when it starts inside a detection that already matched an
 *   earlier labelled event (the later shots of a burst);
 * - a detection is a false alarm when its span, widened by the collar, overlaps
 *   no labelled event.
 */
export function matchEvents(truth: readonly TimedEvent[], detected: readonly TimedEvent[], timing: WindowTiming, collarSec = 0.5): EventMatch {
  const sortedTruth = [...truth].sort((a, b) => a.onsetSec - b.onsetSec);
  const matchedDetections = new Set<number>();
  let detectedTruth = 0;
  let overlappedTruth = 0;
  for (const t of sortedTruth) {
    const covered = detected.some((d) => spanStartSec(d, timing) <= t.offsetSec && d.offsetSec >= t.onsetSec);
    let hit = detected.findIndex((d) => Math.abs(d.onsetSec - t.onsetSec) <= collarSec);
    if (hit < 0) {
      hit = detected.findIndex((d, i) => matchedDetections.has(i) && t.onsetSec >= spanStartSec(d, timing) && t.onsetSec <= d.offsetSec);
    }
    if (hit >= 0) {
      detectedTruth++;
      matchedDetections.add(hit);
    }
    if (hit >= 0 || covered) overlappedTruth++;
  }
  let falseAlarms = 0;
  for (const d of detected) {
    const start = spanStartSec(d, timing) - collarSec;
    const end = d.offsetSec + collarSec;
    if (!truth.some((t) => t.onsetSec <= end && t.offsetSec >= start)) falseAlarms++;
  }
  return { truthEvents: truth.length, detectedTruth, overlappedTruth, falseAlarms, detections: detected.length };
}

/** Number of events the detection rule makes at `threshold` (for false-alarm budgets). */
export function countEvents(scores: ArrayLike<number>, threshold: number, mergeGapWindows = 1): number {
  let count = 0;
  let last = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) continue;
    if (i - last - 1 > mergeGapWindows) count++;
    last = i;
  }
  return count;
}
