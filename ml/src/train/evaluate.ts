import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { FrontEndParams } from '#shared/features/params.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import type { tf } from '#shared/model/tf.js';
import { createRandom } from '#shared/util/random.js';
import { detectEvents, matchEvents, type TimedEvent, type WindowTiming } from './events.js';
import { wholeAudio, type LongAudio, type LongRecording } from './long-audio.js';
import {
  classMetrics, confusionMatrix, macroF1, NONE_LABEL,
  type EvaluationReport, type LongAudioMetrics, type WindowTruth,
} from './metrics.js';
import { buildPatchSet, type PatchSet } from './patch-set.js';
import { predictPatchSet, scoreSignal, scoreStream } from './score-signal.js';
import type { LabelledClip } from './types.js';

/** What evaluation needs of a model: the network and its metadata (a ModelPackage fits). */
export interface EvaluableModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
}

export interface EvaluateOptions {
  /** Override the metadata's thresholds. */
  thresholds?: Record<string, number>;
  /** Class whose events are counted on long audio. Default `gunshot`. */
  alarmClass?: string;
  /** Long audio without the alarm class: false alarms per hour (a LongAudio is scored a chunk at a time). */
  alarmFree?: LongRecording | LongAudio;
  /** Long audio with labelled alarm-class events: event recall (false alarms here are not counted). */
  withEvents?: LongRecording | LongAudio;
  /** Onset collar for event matching. Default 0.5 s. */
  collarSec?: number;
  /** Seed of the noise floor added to clips (as in training). Default 1. */
  ditherSeed?: number;
  /** This model's scoreClips result for `clips` with `ditherSeed`, when the caller already has it (training's thresholds). */
  clipScores?: { scores: Float32Array; truth: WindowTruth };
  /** This model's alarm-class window scores over `alarmFree`, when the caller already has them (training's thresholds). */
  alarmFreeScores?: Float32Array;
}

/** Clips turned into patches and scored together by scoreClips: a few megabytes of patches at a time. */
const CLIPS_PER_BATCH = 32;

/**
 * Window scores and truth for a set of labelled clips (evaluated like
 * validation in training). The clips are featurised and scored a batch at a
 * time and only scores and truth are kept, so a large held-out set never has
 * all its patches in memory; each clip's patches depend only on the clip (the
 * dither is forked per clip), so batching changes nothing.
 */
export function scoreClips(pkg: EvaluableModel, clips: readonly LabelledClip[], ditherSeed = 1): { scores: Float32Array; truth: WindowTruth } {
  return scoreClipsWith(pkg.model, pkg.metadata.frontEnd, pkg.metadata.classes, clips, ditherSeed);
}

/** scoreClips for a model whose metadata is not written yet (training's thresholds). */
export function scoreClipsWith(model: tf.LayersModel, frontEndParams: FrontEndParams, classes: string[], clips: readonly LabelledClip[], ditherSeed = 1): { scores: Float32Array; truth: WindowTruth } {
  const frontEnd = new LogMelFrontEnd(frontEndParams);
  const random = createRandom(`dither-${ditherSeed}`);
  const scores: Float32Array[] = [];
  const values: Int8Array[] = [];
  const dominant: (string | null)[] = [];
  for (let b = 0; b < clips.length; b += CLIPS_PER_BATCH) {
    const set = buildPatchSet(clips.slice(b, b + CLIPS_PER_BATCH), classes, { frontEnd, random });
    scores.push(predictPatchSet(model, set));
    const truth = patchSetTruth(set);
    values.push(truth.values);
    dominant.push(...truth.dominant);
  }
  return { scores: concat(scores), truth: { values: concatInt8(values), dominant } };
}

/** Truth of a PatchSet's windows: its labels; the confusion row is the clip's first label. */
export function patchSetTruth(set: PatchSet): WindowTruth {
  const c = set.classes.length;
  const values = new Int8Array(set.count * c);
  const dominant: (string | null)[] = [];
  for (let i = 0; i < set.count; i++) {
    values.set(set.labels(i), i * c);
    dominant.push(set.clipLabels[set.clipOf(i)][0] ?? NONE_LABEL);
  }
  return { values, dominant };
}

/**
 * Evaluates a model on labelled clips at its thresholds (window level), plus
 * false alarms per hour and event recall of the alarm class on long audio when
 * given.
 */
export function evaluateModel(pkg: EvaluableModel, clips: readonly LabelledClip[], opts: EvaluateOptions = {}): EvaluationReport {
  const thresholds = opts.thresholds ?? pkg.metadata.thresholds;
  const classes = pkg.metadata.classes;
  const { scores, truth } = opts.clipScores ?? scoreClips(pkg, clips, opts.ditherSeed);
  const perClass = classMetrics(scores, truth, classes, thresholds);
  const notes: string[] = [];
  let longAudio: LongAudioMetrics | undefined;
  const alarm = opts.alarmClass ?? 'gunshot';
  if ((opts.alarmFree || opts.withEvents) && classes.includes(alarm)) {
    longAudio = longAudioMetrics(pkg, alarm, thresholds[alarm] ?? 0.5, opts);
  }
  for (const m of perClass) if (m.positives === 0) notes.push(`${m.name}: no positive windows in this set`);
  return {
    modelVersion: pkg.metadata.version,
    windows: truth.dominant.length,
    perClass,
    macroF1: macroF1(perClass),
    confusion: confusionMatrix(scores, truth, classes, thresholds),
    longAudio,
    notes,
  };
}

function longAudioMetrics(pkg: EvaluableModel, alarm: string, threshold: number, opts: EvaluateOptions): LongAudioMetrics {
  const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
  const timing = windowTiming(pkg.metadata.frontEnd);
  const k = pkg.metadata.classes.indexOf(alarm);
  const collar = opts.collarSec ?? 0.5;
  const eventsOf = (audio: LongAudio) => detectEvents(classColumn(scoreStream(pkg.model, frontEnd, audio).scores, k, pkg.metadata.classes.length), threshold, timing);
  const alarmFree = opts.alarmFree && asLongAudio(opts.alarmFree);
  const withEvents = opts.withEvents && asLongAudio(opts.withEvents);
  let hours = 0;
  let falseAlarms = 0;
  if (alarmFree && alarmFree.lengthSamples > 0) {
    hours = alarmFree.lengthSamples / pkg.metadata.frontEnd.sampleRateHz / 3600;
    const detected = opts.alarmFreeScores ? detectEvents(opts.alarmFreeScores, threshold, timing) : eventsOf(alarmFree);
    falseAlarms = matchEvents([], detected, timing, collar).falseAlarms;
  }
  let events = 0;
  let detected = 0;
  let overlapped = 0;
  if (withEvents) {
    const match = matchEvents(withEvents.events, eventsOf(withEvents), timing, collar);
    events = match.truthEvents;
    detected = match.detectedTruth;
    overlapped = match.overlappedTruth;
  }
  return {
    className: alarm,
    threshold,
    hours,
    falseAlarms,
    falseAlarmsPerHour: hours > 0 ? falseAlarms / hours : 0,
    events,
    detectedEvents: detected,
    eventRecall: events > 0 ? detected / events : null,
    overlappedEvents: overlapped,
    onsetCollarSec: collar,
  };
}

/** A recording with labelled segments (from a labels TSV). */
export interface LabelledRecording {
  path: string;
  samples: Float32Array;
  segments: TimedEvent[];
}

/**
 * Evaluates long labelled recordings window by window, as the station would see
 * them. A window counts as holding a class when a labelled segment of it covers
 * at least half of the shorter of (segment, window); a smaller overlap makes the
 * window "unknown" for that class. Alarm-class events are matched with the onset
 * collar; false alarms are divided by the total duration of all recordings.
 */
export function evaluateRecordings(pkg: EvaluableModel, recordings: readonly LabelledRecording[], opts: Pick<EvaluateOptions, 'thresholds' | 'alarmClass' | 'collarSec'> = {}): EvaluationReport {
  const thresholds = opts.thresholds ?? pkg.metadata.thresholds;
  const classes = pkg.metadata.classes;
  const frontEnd = new LogMelFrontEnd(pkg.metadata.frontEnd);
  const timing = windowTiming(pkg.metadata.frontEnd);
  const alarm = opts.alarmClass ?? 'gunshot';
  const k = classes.indexOf(alarm);
  const collar = opts.collarSec ?? 0.5;
  const allScores: Float32Array[] = [];
  const allValues: Int8Array[] = [];
  const dominant: (string | null)[] = [];
  let seconds = 0;
  const totals = { events: 0, detected: 0, overlapped: 0, falseAlarms: 0 };
  for (const rec of recordings) {
    const { scores, windows } = scoreSignal(pkg.model, frontEnd, rec.samples);
    const truth = segmentTruth(rec.segments, windows, classes, timing);
    allScores.push(scores);
    allValues.push(truth.values);
    dominant.push(...truth.dominant);
    seconds += rec.samples.length / pkg.metadata.frontEnd.sampleRateHz;
    if (k >= 0) {
      const detected = detectEvents(classColumn(scores, k, classes.length), thresholds[alarm] ?? 0.5, timing);
      const match = matchEvents(rec.segments.filter((s) => s.label === alarm), detected, timing, collar);
      totals.events += match.truthEvents;
      totals.detected += match.detectedTruth;
      totals.overlapped += match.overlappedTruth;
      totals.falseAlarms += match.falseAlarms;
    }
  }
  const scores = concat(allScores);
  const truth = { values: concatInt8(allValues), dominant };
  const perClass = classMetrics(scores, truth, classes, thresholds);
  const hours = seconds / 3600;
  return {
    modelVersion: pkg.metadata.version,
    windows: dominant.length,
    perClass,
    macroF1: macroF1(perClass),
    confusion: confusionMatrix(scores, truth, classes, thresholds),
    longAudio: k < 0 ? undefined : {
      className: alarm,
      threshold: thresholds[alarm] ?? 0.5,
      hours,
      falseAlarms: totals.falseAlarms,
      falseAlarmsPerHour: hours > 0 ? totals.falseAlarms / hours : 0,
      events: totals.events,
      detectedEvents: totals.detected,
      eventRecall: totals.events > 0 ? totals.detected / totals.events : null,
      overlappedEvents: totals.overlapped,
      onsetCollarSec: collar,
    },
    notes: perClass.filter((m) => m.positives === 0).map((m) => `${m.name}: no positive windows in this set`),
  };
}

/** Per-window truth from labelled segments (see evaluateRecordings). */
export function segmentTruth(segments: readonly TimedEvent[], windows: number, classes: readonly string[], timing: WindowTiming): WindowTruth {
  const c = classes.length;
  const values = new Int8Array(windows * c);
  const dominant: (string | null)[] = [];
  for (let w = 0; w < windows; w++) {
    const ws = w * timing.hopSec;
    const we = ws + timing.windowSec;
    let best: { label: string; overlap: number } | null = null;
    let unknown = false;
    for (const seg of segments) {
      const k = classes.indexOf(seg.label ?? '');
      if (k < 0) continue;
      const overlap = Math.min(we, seg.offsetSec) - Math.max(ws, seg.onsetSec);
      if (overlap <= 0) continue;
      const needed = 0.5 * Math.min(seg.offsetSec - seg.onsetSec, timing.windowSec);
      if (overlap >= needed) {
        values[w * c + k] = 1;
        if (!best || overlap > best.overlap) best = { label: seg.label as string, overlap };
      } else if (values[w * c + k] !== 1) {
        values[w * c + k] = -1;
        unknown = true;
      }
    }
    dominant.push(best ? best.label : unknown ? null : NONE_LABEL);
  }
  return { values, dominant };
}

export function windowTiming(p: FrontEndParams): WindowTiming {
  const frontEnd = new LogMelFrontEnd(p);
  return {
    hopSec: frontEnd.geometry.patchHopSamples / p.sampleRateHz,
    windowSec: frontEnd.geometry.patchSamples / p.sampleRateHz,
  };
}

export function classColumn(scores: Float32Array, k: number, classes: number): Float32Array {
  const out = new Float32Array(scores.length / classes);
  for (let w = 0; w < out.length; w++) out[w] = scores[w * classes + k];
  return out;
}

function asLongAudio(x: LongRecording | LongAudio): LongAudio {
  return 'samples' in x ? wholeAudio(x) : x;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function concatInt8(parts: Int8Array[]): Int8Array {
  const out = new Int8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
