/**
 * How often the station's onset picker finds the demo's shots (printed by
 * `npm run bench -- --localisation`, never asserted): each demo station's
 * recorder file around each shot of the loop (a forest bed with bird-like
 * calls, `scripts/demo-audio.ts`), the stretch an alert reads from `beforeSec`
 * before the shot's arrival to 0.6 s after it. A window model's alert reads
 * from up to 0.96 s + 0.5 s before the shot (detection-sink.ts), a two-stage
 * alert from 0.1 s before. The first onset is the one the cloud locates from.
 * Also what stage 2 of the two-stage detector scores the triggers at those
 * shots (why the demo stations run the window model's gunshot class).
 */
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import { scoreOnsets } from '#shared/detect/gunshot-onsets.js';
import type { OnsetModel } from '#shared/detect/onset-model.js';
import { DEMO_SHOTS, demoFileAudio, demoShotLoops, shotArrivalIn } from '../scripts/demo-audio.js';
import { DEMO_FILE_SEC, DEMO_STATIONS } from '../scripts/demo-field.js';
import { pickShotOnsets } from '../station/src/pipeline/onset-picker.js';

export interface DemoOnsetRow {
  beforeSec: number;
  stretches: number;
  /** First onset within 3 ms of the arrival. */
  atShot: number;
  /** First onset more than 3 ms before it (a call taken for the shot), after it, none at all. */
  early: number;
  late: number;
  none: number;
}

const TOLERANCE_SEC = 3e-3;
const AFTER_SEC = 0.6;

export function measureDemoOnsets(minutes = 50, beforesSec = [0.1, 0.5, 1, 1.5]): DemoOnsetRow[] {
  const rows = beforesSec.map((beforeSec) => ({ beforeSec, stretches: 0, atShot: 0, early: 0, late: 0, none: 0 }));
  for (const { audio, arrival } of demoShotFiles(minutes)) {
    for (const row of rows) {
      const from = arrival - Math.round(row.beforeSec * SAMPLE_RATE_HZ);
      const onsets = pickShotOnsets(audio.subarray(from, arrival + Math.round(AFTER_SEC * SAMPLE_RATE_HZ)), { sampleRateHz: SAMPLE_RATE_HZ });
      row.stretches++;
      if (onsets.length === 0) row.none++;
      else {
        const errorSec = (from + onsets[0] - arrival) / SAMPLE_RATE_HZ;
        if (Math.abs(errorSec) <= TOLERANCE_SEC) row.atShot++;
        else if (errorSec < 0) row.early++;
        else row.late++;
      }
    }
  }
  return rows;
}

export interface DemoStage2Scores {
  shots: number;
  /** Shots with a trigger within 10 ms of the arrival. */
  triggered: number;
  /** Stage 2's highest score among those triggers, per triggered shot, ascending. */
  scores: number[];
  threshold: number;
}

/** Stage 1 + stage 2 over each demo file holding a shot: the triggers at the shot and their scores. */
export function measureDemoStage2(model: OnsetModel, minutes = 10): DemoStage2Scores {
  const scores: number[] = [];
  let shots = 0;
  for (const { audio, arrival } of demoShotFiles(minutes)) {
    shots++;
    const atShot = scoreOnsets(audio, model, SAMPLE_RATE_HZ).filter((o) => Math.abs(o.trigger.onsetSample - arrival) < 0.01 * SAMPLE_RATE_HZ);
    if (atShot.length > 0) scores.push(Math.max(...atShot.map((o) => o.score)));
  }
  return { shots, triggered: scores.length, scores: scores.sort((a, b) => a - b), threshold: model.threshold };
}

/** Each demo station's 10 s recorder file around each shot of `minutes` loops, with the shot's arrival in it. */
function* demoShotFiles(minutes: number): Generator<{ audio: Float32Array; arrival: number }> {
  const loops = demoShotLoops(DEMO_STATIONS);
  for (let minute = 0; minute < minutes; minute++) {
    for (const shot of DEMO_SHOTS) {
      const fileStartSec = Date.UTC(2026, 11, 5, 10, minute, 0) / 1000 + shot.timeSec - 4;
      for (const station of DEMO_STATIONS) {
        const loop = loops.get(station.id) as Float32Array;
        const audio = demoFileAudio(loop, fileStartSec, DEMO_FILE_SEC, `${station.id}-${fileStartSec * 1000}`, false);
        yield { audio, arrival: shotArrivalIn(loop, fileStartSec, DEMO_FILE_SEC) };
      }
    }
  }
}
