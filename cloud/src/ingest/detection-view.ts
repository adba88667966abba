import type { DetectionRecord } from '../adapters/db/detections-repo.js';

/** The API (and live channel) shape of a detection: the record plus links the dashboard uses. */
export function detectionView(d: DetectionRecord) {
  // Event ids are unique per station only: every link names the station too.
  const base = `/api/detections/${encodeURIComponent(d.id)}`;
  const station = `?station=${encodeURIComponent(d.stationId)}`;
  return {
    ...d,
    reviewed: d.reviewedAt !== null,
    url: `${base}${station}`,
    audioUrl: d.clipAvailable ? `${base}/audio${station}` : null,
    spectrogramUrl: d.clipAvailable ? `${base}/spectrogram.png${station}` : null,
  };
}

export type DetectionView = ReturnType<typeof detectionView>;
