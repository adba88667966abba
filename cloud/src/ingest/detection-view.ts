import type { DetectionRecord } from '../plugins/db/detections-repo.js';

/** The API (and live channel) shape of a detection: the record plus links the dashboard uses. */
export function detectionView(d: DetectionRecord) {
  const base = `/api/detections/${encodeURIComponent(d.id)}`;
  return {
    ...d,
    reviewed: d.reviewedAt !== null,
    audioUrl: d.clipAvailable ? `${base}/audio` : null,
    spectrogramUrl: d.clipAvailable ? `${base}/spectrogram.png` : null,
  };
}

export type DetectionView = ReturnType<typeof detectionView>;
