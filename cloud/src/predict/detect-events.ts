import type { WindowScores } from './window-scores.js';

/** A detection inside one analysed recording (times relative to its start). */
export interface ClipDetection {
  label: string;
  confidence: number;
  startSec: number;
  endSec: number;
  peakSec: number;
  windowCount: number;
}

/** Class names that mean "nothing of interest": they never make a detection. */
export const BACKGROUND_CLASSES = new Set(['background', 'noise', 'other', 'silence', 'negative']);

export function isBackgroundClass(name: string): boolean {
  return BACKGROUND_CLASSES.has(name.toLowerCase());
}

/**
 * Per-class thresholds, then consecutive windows above threshold merged into one
 * detection with its start, end and peak (the station's default k=1 of n=1 rule).
 * A class without a threshold uses `defaultThreshold`.
 */
export function detectEvents(
  windows: readonly WindowScores[],
  classes: readonly string[],
  thresholds: Readonly<Record<string, number>>,
  defaultThreshold = 0.5,
): ClipDetection[] {
  const out: ClipDetection[] = [];
  classes.forEach((label, c) => {
    if (isBackgroundClass(label)) return;
    const threshold = thresholds[label] ?? defaultThreshold;
    let open: ClipDetection | undefined;
    for (const w of windows) {
      const score = w.scores[c];
      if (score >= threshold) {
        if (!open) {
          open = { label, confidence: score, startSec: w.startSec, endSec: w.endSec, peakSec: midpoint(w), windowCount: 1 };
        } else {
          open.endSec = w.endSec;
          open.windowCount++;
          if (score > open.confidence) {
            open.confidence = score;
            open.peakSec = midpoint(w);
          }
        }
      } else if (open) {
        out.push(open);
        open = undefined;
      }
    }
    if (open) out.push(open);
  });
  return out.sort((a, b) => a.startSec - b.startSec || b.confidence - a.confidence);
}

function midpoint(w: WindowScores): number {
  return (w.startSec + w.endSec) / 2;
}
