import { describe, expect, it } from 'vitest';
import { EventDetector, eventId } from './event-detector.js';
import type { DetectionMessage, ScoredWindow } from './types.js';

const HOP = 7680;
const W = 15600;
const CLASSES = ['gunshot', 'bird'];

function window(i: number, gunshot: number, bird = 0): ScoredWindow {
  const start = i * HOP;
  return { window: { startSample: start, endSample: start + W, samples: new Float32Array(0) }, scores: Float32Array.of(gunshot, bird) };
}

function run(detector: EventDetector, scores: Array<[number, number?]>): DetectionMessage[] {
  const out: DetectionMessage[] = [];
  scores.forEach(([g, b], i) => out.push(...detector.push(window(i, g, b ?? 0))));
  out.push(...detector.end());
  return out;
}

function detector(k = 1, n = 1, maxEventSamples = 1e9): EventDetector {
  const d = new EventDetector({ classNames: CLASSES, decisions: CLASSES.map(() => ({ threshold: 0.5, k, n })), maxEventSamples });
  d.reset('segment-a');
  return d;
}

describe('EventDetector', () => {
  it('merges consecutive positive windows into one event with start, end and peak', () => {
    const messages = run(detector(), [[0.1], [0.7], [0.9], [0.6], [0.2], [0.1]]);
    expect(messages.map((m) => m.type)).toEqual(['start', 'update', 'end']);
    const end = messages[2].event;
    expect(end.label).toBe('gunshot');
    expect(end.startSample).toBe(1 * HOP);
    expect(end.endSample).toBe(3 * HOP + W);
    expect(end.peakConfidence).toBeCloseTo(0.9, 6);
    expect(end.peakSample).toBe(2 * HOP);
    expect(end.windowCount).toBe(3);
    expect(end.id).toBe(eventId('segment-a', 'gunshot', HOP));
  });

  it('keeps separate events apart and tracks classes independently', () => {
    const messages = run(detector(), [[0.9, 0.8], [0.1, 0.8], [0.9, 0.1]]);
    const ends = messages.filter((m) => m.type === 'end').map((m) => `${m.event.label}@${m.event.startSample}`);
    expect(ends.sort()).toEqual(['bird@0', `gunshot@0`, `gunshot@${2 * HOP}`].sort());
  });

  it('applies k-of-n smoothing: isolated blips do not start events, the onset is the first positive window', () => {
    expect(run(detector(2, 3), [[0.9], [0.1], [0.1], [0.9], [0.1], [0.1]])).toEqual([]);
    const messages = run(detector(2, 3), [[0.1], [0.9], [0.2], [0.8], [0.9], [0.1], [0.1], [0.1]]);
    const start = messages.find((m) => m.type === 'start');
    expect(start?.event.startSample).toBe(1 * HOP);
    expect(messages.filter((m) => m.type === 'end')).toHaveLength(1);
  });

  it('ends open events when the segment ends', () => {
    const d = detector();
    d.push(window(0, 0.9));
    const ends = d.end();
    expect(ends).toHaveLength(1);
    expect(ends[0].type).toBe('end');
    expect(d.end()).toHaveLength(0);
  });

  it('splits an event that exceeds the maximum duration', () => {
    const messages = run(detector(1, 1, 3 * HOP + W), Array.from({ length: 8 }, (): [number] => [0.9]));
    const ends = messages.filter((m) => m.type === 'end');
    expect(ends.length).toBe(2);
    expect(ends[1].event.startSample).toBeGreaterThan(ends[0].event.startSample);
  });

  it('gives the same ids when the same audio is processed again, different ids for another segment', () => {
    const a = run(detector(), [[0.1], [0.9], [0.1]]).map((m) => m.event.id);
    const b = run(detector(), [[0.1], [0.9], [0.1]]).map((m) => m.event.id);
    expect(a).toEqual(b);
    const other = new EventDetector({ classNames: CLASSES, decisions: CLASSES.map(() => ({ threshold: 0.5, k: 1, n: 1 })), maxEventSamples: 1e9 });
    other.reset('segment-b');
    expect(run(other, [[0.1], [0.9], [0.1]])[0].event.id).not.toBe(a[0]);
  });
});
