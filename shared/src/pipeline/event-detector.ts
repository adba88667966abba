import { createHash } from 'node:crypto';
import type { DetectionEvent, DetectionMessage, ScoredWindow } from './types.js';

/** Decision rule for one class. */
export interface ClassDecision {
  /** Score at or above which a window counts as positive. */
  threshold: number;
  /** Active when at least k of the last n windows are positive. */
  k: number;
  n: number;
}

export interface EventDetectorOptions {
  classNames: readonly string[];
  /** One rule per class, same order as classNames. */
  decisions: readonly ClassDecision[];
  /** An event longer than this (in samples) is ended and a new one started. */
  maxEventSamples: number;
  /**
   * The station whose audio this is: event ids become `<stationId>.ev-<hash>`,
   * so two stations processing the same audio never share an id (station ids
   * hold no dot). Offline analysis leaves it out: `ev-<hash>`.
   */
  stationId?: string;
}

interface ClassState {
  /** Recent windows: start, end and whether positive, newest last (at most n). */
  history: Array<{ start: number; end: number; positive: boolean }>;
  open: DetectionEvent | undefined;
  lastPositiveEnd: number;
}

/**
 * Turns per-window scores into events: k-of-n smoothing per class, consecutive
 * active windows merged into one event with start, end and peak; emits
 * `start` when an event opens, `update` when its peak rises, `end` when it closes.
 */
export class EventDetector {
  private states: ClassState[] = [];
  private segmentId = '';
  private options: EventDetectorOptions;

  constructor(options: EventDetectorOptions) {
    this.options = options;
    this.reset('');
  }

  /** Starts a new segment; call end() first to close events of the previous one. */
  reset(segmentId: string): void {
    this.segmentId = segmentId;
    this.states = this.options.classNames.map(() => ({ history: [], open: undefined, lastPositiveEnd: 0 }));
  }

  /**
   * New model: same classes keep their open events and only change thresholds;
   * a different class list ends every open event and starts afresh.
   */
  reconfigure(classNames: readonly string[], decisions: readonly ClassDecision[]): DetectionMessage[] {
    const same = classNames.length === this.options.classNames.length && classNames.every((c, i) => c === this.options.classNames[i]);
    const ended = same ? [] : this.end();
    this.options = { ...this.options, classNames, decisions };
    if (!same) this.reset(this.segmentId);
    return ended;
  }

  push(scored: ScoredWindow): DetectionMessage[] {
    const out: DetectionMessage[] = [];
    const { window, scores } = scored;
    this.options.decisions.forEach((rule, c) => {
      const state = this.states[c];
      const positive = scores[c] >= rule.threshold;
      state.history.push({ start: window.startSample, end: window.endSample, positive });
      if (state.history.length > rule.n) state.history.shift();
      const active = state.history.filter((h) => h.positive).length >= rule.k;
      if (positive) state.lastPositiveEnd = window.endSample;
      const open = state.open;
      if (active && !open) {
        const firstPositive = state.history.find((h) => h.positive) ?? state.history[state.history.length - 1];
        state.open = this.newEvent(c, firstPositive.start, window.endSample, window.startSample, scores);
        out.push({ type: 'start', event: { ...state.open } });
      } else if (active && open) {
        open.endSample = Math.max(open.endSample, positive ? window.endSample : open.endSample);
        if (positive) open.windowCount++;
        if (scores[c] > open.peakConfidence) {
          open.peakConfidence = scores[c];
          open.peakSample = window.startSample;
          open.peakScores = scores.slice();
          out.push({ type: 'update', event: { ...open } });
        }
        if (open.endSample - open.startSample >= this.options.maxEventSamples) {
          out.push(this.close(c));
        }
      } else if (!active && open) {
        out.push(this.close(c));
      }
    });
    return out;
  }

  /** Ends every open event (segment end or shutdown). */
  end(): DetectionMessage[] {
    const out: DetectionMessage[] = [];
    this.states.forEach((s, c) => {
      if (s.open) out.push(this.close(c));
      s.history = [];
    });
    return out;
  }

  private close(c: number): DetectionMessage {
    const state = this.states[c];
    const event = state.open as DetectionEvent;
    state.open = undefined;
    // A split long event restarts counting from the next window.
    state.history = [];
    return { type: 'end', event: { ...event } };
  }

  private newEvent(c: number, start: number, end: number, peakSample: number, scores: Float32Array): DetectionEvent {
    const label = this.options.classNames[c];
    return {
      id: eventId(this.segmentId, label, start, this.options.stationId),
      label,
      classIndex: c,
      startSample: start,
      endSample: end,
      peakSample,
      peakConfidence: scores[c],
      windowCount: 1,
      peakScores: scores.slice(),
    };
  }
}

/** Stable event id: the same audio processed twice by the same station yields the same id. */
export function eventId(segmentId: string, label: string, startSample: number, stationId?: string): string {
  const id = 'ev-' + createHash('sha256').update(`${segmentId}\n${label}\n${startSample}`).digest('hex').slice(0, 24);
  return stationId ? `${stationId}.${id}` : id;
}
