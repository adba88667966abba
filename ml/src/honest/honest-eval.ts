import { createRandom } from '#shared/util/random.js';
import type { LabelledClip } from '../train/types.js';
import { alarmCurve, foundEvents, type CurvePoint, type ThresholdedDetector } from './alarm-curve.js';
import { forestStream, holdsOnset, type ForestRecording, type Placement } from './forest-audio.js';
import type { ConfuserAlarms } from './confuser-check.js';
import { topFalseAlarms, type TopAlarm } from './top-alarms.js';

const SAMPLE_RATE_HZ = 16000;

/**
 * Impulsive sounds a gunshot detector must not confuse with a shot, by label or
 * by the words in a file's path (the packages do not label impacts).
 */
const IMPULSIVE_WORDS = /explo|bomb|thunder|door|slam|impact|hit|crash|bang|knock|punch|hammer|break|glass|splash|step|foot|drop|fall|metal|wood|clang|smash|boom|blast|kick|jump|land|bounce|collide|shatter|pop|crack|snap|click/i;

export function isImpulsive(p: Pick<Placement, 'id' | 'labels'>): boolean {
  return p.labels.includes('explosion') || p.labels.includes('thunder') || IMPULSIVE_WORDS.test(p.id.split('/').slice(1).join('/'));
}

/** The two honest streams built from a validation set. */
export interface HonestStreams {
  alarmFree: ForestRecording;
  withEvents: ForestRecording;
  hours: number;
}

/**
 * Gunshot-free forest audio (every validation clip without a gunshot, once) and
 * a gunshot stream (every validation gunshot clip, once, over the same kind of
 * floor): see forest-audio.ts.
 */
export function honestStreams(valid: readonly LabelledClip[], seed: number, alarmClass = 'gunshot', maxAlarmFreeSec?: number): HonestStreams {
  const rand = createRandom(`honest-${seed}`);
  const alarmFree = forestStream(valid.filter((c) => !c.labels.includes(alarmClass)), { rand: rand.fork('alarm-free'), maxSec: maxAlarmFreeSec });
  const withEvents = forestStream(valid.filter((c) => c.labels.includes(alarmClass)), { rand: rand.fork('events'), gapSec: [4, 12] });
  return { alarmFree, withEvents, hours: alarmFree.samples.length / SAMPLE_RATE_HZ / 3600 };
}

export interface SourceRecall {
  source: string;
  events: number;
  found: number;
}

export interface HonestReport {
  detector: string;
  hours: number;
  events: number;
  onsetCollarSec: number;
  /** At the detector's shipped threshold. */
  shipped: CurvePoint & {
    impulsiveClips: number;
    impulsiveAlarmed: number;
    impulsiveAlarmShare: number;
    perSource: SourceRecall[];
  };
  /** Best recall within each false-alarm budget (0.1 to 100 per hour), and each source's share of it. */
  curve: (CurvePoint & { budgetPerHour: number; perSource: SourceRecall[] })[];
  /** Per-source recall at the threshold that keeps 1 false alarm per hour (the curve's 1/h point). */
  perSourceAt1PerHour: SourceRecall[];
  /** The highest-scoring gunshot-free alarms and the clips they fell in (top-alarms.ts): what sets the low budgets' thresholds. */
  topFalseAlarms: TopAlarm[];
  /** Modelled confuser scenes that alarm at the shipped threshold, per kind (confuser-check.ts), when measured. */
  modelledConfusers?: ConfuserAlarms[];
}

/** Gunshot-free alarms a report names. */
const TOP_FALSE_ALARMS = 10;

/** Evaluates a detector on the honest streams. */
export function honestReport(d: ThresholdedDetector, s: HonestStreams, collarSec = 0.5): HonestReport {
  const events = s.withEvents.placements;
  const { atBudget } = alarmCurve(d, events, s.hours, collarSec);
  const shipped = alarmCurve({ ...d, thresholds: [d.shippedThreshold] }, events, s.hours, collarSec).sweep[0];
  const freeAlarms = d.alarmFreeAt(d.shippedThreshold);
  const impulsive = s.alarmFree.placements.filter(isImpulsive);
  const alarmed = impulsive.filter((p) => freeAlarms.some((a) => holdsOnset(p, a.onsetSec, collarSec))).length;
  const curve = atBudget.map((p) => ({ ...p, perSource: Number.isFinite(p.threshold) ? perSource(events, d.eventsAt(p.threshold), collarSec) : perSource(events, [], collarSec) }));
  return {
    detector: d.name,
    hours: s.hours,
    events: events.length,
    onsetCollarSec: collarSec,
    shipped: {
      ...shipped,
      impulsiveClips: impulsive.length,
      impulsiveAlarmed: alarmed,
      impulsiveAlarmShare: impulsive.length > 0 ? alarmed / impulsive.length : 0,
      perSource: perSource(events, d.eventsAt(d.shippedThreshold), collarSec),
    },
    curve,
    perSourceAt1PerHour: curve.find((p) => p.budgetPerHour === 1)?.perSource ?? [],
    topFalseAlarms: topFalseAlarms(d, s.alarmFree.placements, TOP_FALSE_ALARMS, collarSec),
  };
}

/** Source of a gunshot event: its package, or `synthetic` for modelled scenes. */
function sourceOf(p: Placement): string {
  return p.group.startsWith('synthetic') ? 'synthetic' : p.group;
}

function perSource(events: readonly Placement[], alarms: Parameters<typeof foundEvents>[1], collarSec: number): SourceRecall[] {
  const found = foundEvents(events, alarms, collarSec);
  const by = new Map<string, SourceRecall>();
  events.forEach((e, i) => {
    const key = sourceOf(e);
    const r = by.get(key) ?? { source: key, events: 0, found: 0 };
    r.events++;
    if (found[i]) r.found++;
    by.set(key, r);
  });
  return [...by.values()].sort((a, b) => a.source.localeCompare(b.source));
}

/** The reports as text: one block per detector, then the curves side by side. */
export function formatHonest(reports: readonly HonestReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const s = r.shipped;
    lines.push(`${r.detector}: at the shipped threshold ${fmt(s.threshold)}: ${s.falseAlarms} false alarms in ${r.hours.toFixed(2)} h of gunshot-free forest audio (${s.falseAlarmsPerHour.toFixed(1)}/h); `
      + `event recall ${s.detectedEvents}/${r.events} = ${s.eventRecall.toFixed(3)} (${r.onsetCollarSec} s onset collar); `
      + `impulsive negatives alarmed ${s.impulsiveAlarmed}/${s.impulsiveClips} = ${s.impulsiveAlarmShare.toFixed(3)}`);
    lines.push(`  per source at shipped threshold: ${s.perSource.map((p) => `${p.source} ${p.found}/${p.events}`).join(', ')}`);
    lines.push(`  per source at 1 FA/h: ${r.perSourceAt1PerHour.map((p) => `${p.source} ${p.found}/${p.events}`).join(', ') || '-'}`);
    lines.push(...perSourceTable(r));
    if (r.modelledConfusers) {
      const all = r.modelledConfusers.reduce((n, c) => ({ alarmed: n.alarmed + c.alarmed, scenes: n.scenes + c.scenes }), { alarmed: 0, scenes: 0 });
      lines.push(`  modelled confusers alarmed at the shipped threshold: ${all.alarmed}/${all.scenes} (${r.modelledConfusers.map((c) => `${c.kind} ${c.alarmed}/${c.scenes}`).join(', ')})`);
    }
    if (r.topFalseAlarms.length > 0) lines.push(`  top gunshot-free alarms: ${r.topFalseAlarms.map((a) => `${a.score.toPrecision(5)} ${shortClip(a.clip)}`).join('; ')}`);
  }
  lines.push('', `event recall at a false-alarm budget | ${reports.map((r) => r.detector).join(' | ')}`);
  for (let i = 0; i < (reports[0]?.curve.length ?? 0); i++) {
    const cells = reports.map((r) => {
      const p = r.curve[i];
      return Number.isFinite(p.threshold) ? `${p.eventRecall.toFixed(3)} (${p.falseAlarmsPerHour.toFixed(1)}/h, t=${fmt(p.threshold)})` : '0 (none)';
    });
    lines.push(`<= ${reports[0].curve[i].budgetPerHour}/h | ${cells.join(' | ')}`);
  }
  return lines.join('\n');
}

/** Events found per source at each budget (rows: sources, then every real source together; columns: budgets). */
function perSourceTable(r: HonestReport): string[] {
  if (r.curve.length === 0) return [];
  const sources = r.curve[0].perSource.map((p) => p.source);
  const row = (name: string, pick: (ps: SourceRecall[]) => SourceRecall[]) => `  ${name} | ${r.curve.map((p) => {
    const chosen = pick(p.perSource);
    return `${chosen.reduce((n, q) => n + q.found, 0)}/${chosen.reduce((n, q) => n + q.events, 0)}`;
  }).join(' | ')}`;
  return [
    `  events found per source at a false-alarm budget | ${r.curve.map((p) => `<= ${p.budgetPerHour}/h`).join(' | ')}`,
    ...sources.map((source) => row(source, (ps) => ps.filter((q) => q.source === source))),
    row('all real recordings', (ps) => ps.filter((q) => q.source !== 'synthetic')),
  ];
}

/** A clip id as its package and the last folder and file (`pkg/usr/share/x/misc/a.ogg#3` -> `pkg .../misc/a.ogg#3`). */
function shortClip(id: string): string {
  const parts = id.split('/');
  return parts.length > 3 ? `${parts[0]} .../${parts.slice(-2).join('/')}` : id;
}

function fmt(t: number): string {
  return Number.isFinite(t) ? t.toPrecision(3) : '-';
}
