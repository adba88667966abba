import { CLIP_CODECS, CLIP_EXTENSION_PATTERN, clipExtension, type ClipCodec } from '../audio/clip-codec.js';

/**
 * The JSON sidecar uploaded next to every clip (`<clipKey minus .wav/.flac/.opus>.json`).
 * The cloud can rebuild its whole index of station clips from these alone.
 */
export interface ClipSidecar {
  v: 1;
  stationId: string;
  clipId: string;
  clipKey: string;
  /** sha256 of the clip file's bytes (as encoded), hex. */
  sha256: string;
  /** Size of the clip file as encoded and uploaded. */
  bytes: number;
  /** How the clip file is encoded; absent in sidecars from stations before codecs (then `wav`). */
  codec?: ClipCodec;
  sampleRateHz: number;
  durationSec: number;
  /** Clip start relative to the detection start (negative: pre-roll). */
  clipStartTime: string;
  detection: {
    eventId: string;
    label: string;
    confidence: number;
    startTime: string;
    endTime: string;
    peakTime: string;
    windowCount: number;
    shotCount: number | null;
    /** Every class score of the peak window. */
    scores: Record<string, number>;
  };
  modelVersion: string;
  source: string;
  createdAt: string;
}

/** `stations/<stationId>/<yyyy>/<mm>/<dd>/<clipId>.<ext>`, from the detection's UTC start date; the extension names the codec. */
export function clipObjectKey(stationId: string, clipId: string, startTimeMs: number, codec: ClipCodec = 'wav'): string {
  const d = new Date(startTimeMs);
  const yyyy = d.getUTCFullYear().toString().padStart(4, '0');
  const mm = (d.getUTCMonth() + 1).toString().padStart(2, '0');
  const dd = d.getUTCDate().toString().padStart(2, '0');
  return `stations/${stationId}/${yyyy}/${mm}/${dd}/${clipId}${clipExtension(codec)}`;
}

/** The keys the clip next to a sidecar may have, one per codec (the sidecar itself names which). */
export function clipKeysFor(sidecarKey: string): string[] {
  const stem = sidecarKey.replace(/\.json$/, '');
  return CLIP_CODECS.map((c) => stem + clipExtension(c));
}

export function sidecarKeyFor(clipKey: string): string {
  return clipKey.replace(CLIP_EXTENSION_PATTERN, '.json');
}
