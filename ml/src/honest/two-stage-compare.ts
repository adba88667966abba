import { describeOnsets, groupAlarms, type ScoredOnset } from '#shared/detect/gunshot-onsets.js';
import type { OnsetModel } from '#shared/detect/onset-model.js';
import { backgroundsOf, type SceneBed } from '../train/synthetic-set.js';
import type { LabelledClip } from '../train/types.js';
import { scoredOnsetDetector } from '../onset/onset-detector.js';
import { curvePoint } from './alarm-curve.js';
import { confuserAlarms, confuserStream } from './confuser-check.js';
import { honestStreams } from './honest-eval.js';
import { stationaryNoiseCheck } from './stationary-check.js';

const RATE = 16000;
/** Beds for the modelled confusers: at most this many gunshot-free evaluation originals, each cut to BED_SEC (10 MB). */
const MAX_BEDS = 8;
const BED_SEC = 20;
/** Confuser scenes rendered and scored at a time: 50 scenes are about 20 MB of audio, 500 would be 200 (the worker has 512 MB). */
const CONFUSER_BATCH = 50;

/** One two-stage detector's figures on the honest measure, at its own threshold. */
export interface TwoStageFigures {
  version: string;
  threshold: number;
  /** Alarms on the gunshot-free forest stream. */
  falseAlarms: number;
  falseAlarmsPerHour: number;
  /** Hours of gunshot-free forest audio. */
  hours: number;
  /** Gunshot events placed, and found within the onset collar. */
  events: number;
  detectedEvents: number;
  /** detectedEvents / events; null without gunshot clips. */
  eventRecall: number | null;
  /** Alarms over the whole stationary-noise check. */
  stationaryAlarms: number;
  /** Modelled confuser scenes holding an alarm's onset (confuser-check.ts). */
  confuserAlarms: number;
}

export interface TwoStageComparison {
  current: TwoStageFigures;
  candidate: TwoStageFigures;
  /** Minutes of each noise colour and level of the stationary-noise check. */
  stationaryMinutesEach: number;
  onsetCollarSec: number;
  /** Modelled confuser scenes each model heard, and how many gunshot-free evaluation originals they were laid over (0: pink noise). */
  confuserScenes: number;
  confuserBeds: number;
}

export interface CompareOptions {
  seed: number;
  /** Minutes per colour and level of the stationary-noise check (issue 12 asks 10 for the shipped model). */
  stationaryMinutes: number;
  /** Modelled confuser scenes (impacts, notes, clicks, thuds, bursts) over the evaluation's gunshot-free originals; 0 skips the check. */
  confuserScenes: number;
  collarSec?: number;
}

/**
 * Current and candidate stage-2 models on the same honest measure: each chunk
 * of clips placed in forest streams (honestStreams: gunshot-free and gunshot
 * streams, onsets intact, seeded per chunk so both models hear the same audio),
 * false alarms per hour and event recall at each model's own threshold, summed
 * over chunks, plus the stationary-noise check and the modelled confuser check
 * (npm run eval's, with the site's gunshot-free originals as beds: a candidate
 * that learnt "modelled propagation" rather than "gunshot" alarms on these).
 * The trigger runs once per stream and feeds both models. A chunk's audio is
 * dropped before the next one is placed, and confuser scenes are rendered
 * CONFUSER_BATCH at a time, so memory holds one chunk's streams or one batch.
 */
export function compareTwoStage(models: { current: OnsetModel; candidate: OnsetModel }, chunks: Iterable<readonly LabelledClip[]>, o: CompareOptions): TwoStageComparison {
  const collarSec = o.collarSec ?? 0.5;
  const pair = [models.current, models.candidate];
  const totals = pair.map((m) => ({ version: m.file.version, threshold: m.threshold, falseAlarms: 0, hours: 0, events: 0, detectedEvents: 0, stationaryAlarms: 0, confuserAlarms: 0 }));
  const beds: SceneBed[] = [];
  let n = 0;
  for (const chunk of chunks) {
    // Copies, so the chunk's audio can go once it is placed; none when the confuser check is off.
    if (o.confuserScenes > 0 && beds.length < MAX_BEDS) {
      for (const b of backgroundsOf(chunk).slice(0, MAX_BEDS - beds.length)) beds.push({ samples: b.samples.slice(0, BED_SEC * RATE), labels: b.labels });
    }
    const s = honestStreams(chunk, o.seed + n++);
    const free = scoreWith(s.alarmFree.samples, pair);
    const events = scoreWith(s.withEvents.samples, pair);
    pair.forEach((m, i) => {
      const d = scoredOnsetDetector(m.file.version, m.threshold, m.file.burstGapSec, free[i], events[i]);
      const p = curvePoint(d, m.threshold, s.withEvents.placements, s.hours, collarSec);
      totals[i].falseAlarms += p.falseAlarms;
      totals[i].hours += s.hours;
      totals[i].events += s.withEvents.placements.length;
      totals[i].detectedEvents += p.detectedEvents;
    });
  }
  stationaryNoiseCheck((x) => {
    const scored = scoreWith(x, pair);
    pair.forEach((m, i) => {
      totals[i].stationaryAlarms += groupAlarms(scored[i], m.threshold, m.file.burstGapSec, RATE).length;
    });
    return 0;
  }, { minutes: o.stationaryMinutes });
  for (let b = 0; b * CONFUSER_BATCH < o.confuserScenes; b++) {
    const stream = confuserStream(beds, `${o.seed}/${b}`, Math.min(CONFUSER_BATCH, o.confuserScenes - b * CONFUSER_BATCH));
    const scored = scoreWith(stream.samples, pair);
    pair.forEach((m, i) => {
      const alarms = scoredOnsetDetector(m.file.version, m.threshold, m.file.burstGapSec, scored[i], []).alarmFreeAt(m.threshold);
      totals[i].confuserAlarms += confuserAlarms(stream, alarms, collarSec).reduce((sum, k) => sum + k.alarmed, 0);
    });
  }
  const figures = totals.map((t): TwoStageFigures => ({
    ...t,
    falseAlarmsPerHour: t.hours > 0 ? t.falseAlarms / t.hours : 0,
    eventRecall: t.events > 0 ? t.detectedEvents / t.events : null,
  }));
  return {
    current: figures[0], candidate: figures[1], stationaryMinutesEach: o.stationaryMinutes, onsetCollarSec: collarSec,
    confuserScenes: o.confuserScenes, confuserBeds: beds.length,
  };
}

/** Stage 1 once, stage 2 of each model on the same triggers. */
function scoreWith(samples: Float32Array, models: readonly OnsetModel[]): ScoredOnset[][] {
  const described = describeOnsets(samples, RATE);
  return models.map((m) => described.map(({ trigger, context, features }) => ({ trigger, context, score: m.score(features) })));
}
