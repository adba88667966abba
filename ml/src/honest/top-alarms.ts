import type { ThresholdedDetector } from './alarm-curve.js';
import type { Placement } from './forest-audio.js';

/** One of the highest-scoring alarms on the gunshot-free stream: what sets a low false-alarm budget's threshold. */
export interface TopAlarm {
  score: number;
  onsetSec: number;
  /** The clip the alarm's onset falls in (its id: package and path), or `floor` between clips. */
  clip: string;
}

/** How far past a clip's end an alarm still belongs to it, s (its tail, as the impulsive share counts it). */
const AFTER_CLIP_SEC = 0.5;

/**
 * The `count` highest-scoring alarms on the gunshot-free stream, at the
 * detector's lowest threshold, each with the clip it fell in. At 1 FA/h on a
 * few hours of audio, three or four of them decide the threshold: this names
 * them, so the report says which sounds limit the figure.
 */
export function topFalseAlarms(d: ThresholdedDetector, placements: readonly Placement[], count: number): TopAlarm[] {
  if (d.thresholds.length === 0 || count <= 0) return [];
  const byStart = [...placements].sort((a, b) => a.startSec - b.startSec);
  const clipAt = (sec: number): string => {
    // Last clip that starts at or before the onset (with the 0.1 s lead the impulsive share allows).
    let lo = 0;
    let hi = byStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byStart[mid].startSec - 0.1 <= sec) lo = mid + 1;
      else hi = mid;
    }
    const p = byStart[lo - 1];
    return p !== undefined && sec <= p.endSec + AFTER_CLIP_SEC ? p.id : 'floor';
  };
  return d.alarmFreeAt(d.thresholds[0])
    .sort((a, b) => b.score - a.score || a.onsetSec - b.onsetSec)
    .slice(0, count)
    .map((a) => ({ score: a.score, onsetSec: a.onsetSec, clip: clipAt(a.onsetSec) }));
}
