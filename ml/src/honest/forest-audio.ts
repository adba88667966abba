import { shuffledIndices, type Random } from '#shared/util/random.js';
import { activeSpan } from '../train/long-audio.js';
import type { LabelledClip } from '../train/types.js';
import { ambienceFloor } from './coloured-noise.js';

const SAMPLE_RATE_HZ = 16000;
/** Quiet floor the clips are placed over, dBFS RMS (issue 12: about -50 to -40). */
export const FLOOR_LEVEL_DBFS: readonly [number, number] = [-50, -40];
/** Longest fade-in over the part of a clip before its own onset (file lead-in, not the sound). */
const MAX_LEAD_FADE_SAMPLES = 4000;
/** Fade at a clip's end: a file cut is not a sound's offset. */
const TAIL_FADE_SAMPLES = 320;

/** Where one clip sits in a forest stream. */
export interface Placement {
  id: string;
  group: string;
  labels: string[];
  startSec: number;
  endSec: number;
  /** The clip's own onset: its first 10 ms block within 20 dB of its peak. */
  onsetSec: number;
}

/** How long before a clip's start an onset still belongs to it, s (a trigger's refinement can land just ahead of the file). */
const CLIP_LEAD_SEC = 0.1;

/** True when an onset at `sec` belongs to clip `p`: from just before its start to `afterSec` past its end (its tail). */
export function holdsOnset(p: Pick<Placement, 'startSec' | 'endSec'>, sec: number, afterSec: number): boolean {
  return sec >= p.startSec - CLIP_LEAD_SEC && sec <= p.endSec + afterSec;
}

export interface ForestRecording {
  samples: Float32Array;
  placements: Placement[];
}

export interface ForestOptions {
  rand: Random;
  /** Seconds of floor between clips, uniform in this range. Default [2, 8]. */
  gapSec?: readonly [number, number];
  /** Gain applied to each clip, dB, uniform in this range. Default [-6, 6]. */
  gainDb?: readonly [number, number];
  /** Stop adding clips after this many seconds (default: every clip once). */
  maxSec?: number;
}

/**
 * Long audio the way a forest presents sounds: each clip over a quiet modelled
 * ambience (pink/brown noise at -50..-40 dBFS), separated by seconds of that
 * floor, each clip ADDED with its onset intact (no cross-fade into the previous
 * clip: a door slam after quiet is what a station hears). Only a file's lead-in
 * before its own onset is faded in (up to 0.25 s), and a piece cut from the
 * middle of a long file gets 0.25 s fades both ends, since its cut edges are
 * not sounds. Clips appear once each, in random order.
 */
export function forestStream(clips: readonly LabelledClip[], o: ForestOptions): ForestRecording {
  const gap = o.gapSec ?? [2, 8];
  const gainDb = o.gainDb ?? [-6, 6];
  const order = shuffledIndices(clips.length, o.rand.fork('order'));
  const starts: number[] = [];
  let at = 0;
  for (const i of order) {
    at += Math.round(o.rand.uniform(gap[0], gap[1]) * SAMPLE_RATE_HZ);
    starts.push(at);
    at += clips[i].samples.length;
    if (o.maxSec !== undefined && at / SAMPLE_RATE_HZ >= o.maxSec) break;
  }
  at += Math.round(gap[1] * SAMPLE_RATE_HZ);
  const samples = ambienceFloor(at, FLOOR_LEVEL_DBFS, o.rand.fork('floor'));
  const placements: Placement[] = [];
  starts.forEach((start, n) => {
    const clip = clips[order[n]];
    const gain = 10 ** (o.rand.uniform(gainDb[0], gainDb[1]) / 20);
    const onset = addClip(samples, clip, start, gain);
    placements.push({
      id: clip.id, group: clip.group, labels: clip.labels,
      startSec: start / SAMPLE_RATE_HZ, endSec: (start + clip.samples.length) / SAMPLE_RATE_HZ, onsetSec: (start + onset) / SAMPLE_RATE_HZ,
    });
  });
  return { samples, placements };
}

/** Adds the clip at `at` with the fades described above; returns its onset sample within the clip. */
function addClip(out: Float32Array, clip: LabelledClip, at: number, gain: number): number {
  const x = clip.samples;
  const [onset] = activeSpan(x);
  const piece = clip.id.includes('#');
  const fadeIn = piece ? Math.min(MAX_LEAD_FADE_SAMPLES, x.length >> 1) : Math.min(onset, MAX_LEAD_FADE_SAMPLES);
  const fadeOut = piece ? Math.min(MAX_LEAD_FADE_SAMPLES, x.length >> 1) : Math.min(TAIL_FADE_SAMPLES, x.length >> 1);
  // A faded lead-in ends at the clip's onset, so the sound itself starts as recorded.
  const leadStart = piece ? 0 : onset - fadeIn;
  for (let i = 0; i < x.length && at + i < out.length; i++) {
    let g = gain;
    if (i < leadStart) g = 0;
    else if (i < leadStart + fadeIn) g *= 0.5 - 0.5 * Math.cos((Math.PI * (i - leadStart)) / fadeIn);
    const fromEnd = x.length - 1 - i;
    if (fromEnd < fadeOut) g *= 0.5 - 0.5 * Math.cos((Math.PI * fromEnd) / fadeOut);
    out[at + i] += x[i] * g;
  }
  return piece ? 0 : onset;
}
