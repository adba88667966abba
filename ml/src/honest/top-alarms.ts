import type { ThresholdedDetector } from './alarm-curve.js';
import { holdsOnset, type Placement } from './forest-audio.js';

/** One of the highest-scoring alarms on the gunshot-free stream: what sets a low false-alarm budget's threshold. */
export interface TopAlarm {
  score: number;
  onsetSec: number;
  /** The clip the alarm's onset falls in (its id: package and path), or `floor` between clips. */
  clip: string;
}

/**
 * The `count` highest-scoring alarms on the gunshot-free stream, at the
 * detector's lowest threshold, each with the clip it fell in (holdsOnset, up
 * to `afterSec` past the clip's end, as the report's impulsive share counts
 * it). At 1 FA/h on a few hours of audio, three or four of them decide the
 * threshold: this names them, so the report says which sounds limit the figure.
 * (A scan of the clips for each of the `count` alarms: a few thousand checks.)
 */
export function topFalseAlarms(d: ThresholdedDetector, placements: readonly Placement[], count: number, afterSec: number): TopAlarm[] {
  if (d.thresholds.length === 0 || count <= 0) return [];
  // A copy: the detector's alarm list is not ours to reorder.
  return [...d.alarmFreeAt(d.thresholds[0])]
    .sort((a, b) => b.score - a.score || a.onsetSec - b.onsetSec)
    .slice(0, count)
    .map((a) => ({ score: a.score, onsetSec: a.onsetSec, clip: placements.find((p) => holdsOnset(p, a.onsetSec, afterSec))?.id ?? 'floor' }));
}
