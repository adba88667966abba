import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sine } from '#testkit/signals.js';
import { ManualClock } from '#testkit/manual-clock.js';
import { collect, tempDir, writeWav } from '../../test/helpers.js';
import { FileSource } from './file-source.js';

describe('FileSource', () => {
  const dir = tempDir();
  const path = writeWav(join(dir, 'tone.wav'), sine(440, 3, 48000), 48000);

  it('replays a WAV as fast as possible: one segment, contiguous 16 kHz chunks, no sleeping', async () => {
    const clock = new ManualClock(undefined, { instantSleeps: true });
    const events = await collect(new FileSource({ path, realtime: false, loop: false, chunkSec: 0.5 }, clock).events(new AbortController().signal));
    expect(events[0].type).toBe('segment-start');
    expect(events.at(-1)).toEqual({ type: 'segment-end', reason: 'eof' });
    const audio = events.filter((e) => e.type === 'audio');
    let expected = 0;
    for (const a of audio) {
      expect(a.startSample).toBe(expected);
      expected += a.samples.length;
    }
    expect(expected).toBe(48000);
    expect(clock.sleeps).toHaveLength(0);
  });

  it('paces a real-time replay: each chunk waits until its audio time has passed', async () => {
    const clock = new ManualClock(1_000_000, { instantSleeps: true });
    await collect(new FileSource({ path, realtime: true, loop: false, chunkSec: 0.5 }, clock).events(new AbortController().signal));
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(5);
    expect(clock.sleeps.at(-1)).toBeCloseTo(1_000_000 + 3000, -1);
    for (let i = 1; i < clock.sleeps.length; i++) expect(clock.sleeps[i]).toBeGreaterThan(clock.sleeps[i - 1]);
  });

  it('gives the same segment id to the same content (replay after a crash) and a new one per loop pass', async () => {
    const a = await collect(new FileSource({ path, realtime: false, loop: false, chunkSec: 1 }, new ManualClock(undefined, { instantSleeps: true })).events(new AbortController().signal));
    const b = await collect(new FileSource({ path, realtime: false, loop: false, chunkSec: 1 }, new ManualClock(undefined, { instantSleeps: true })).events(new AbortController().signal));
    const id = (e: typeof a) => (e[0].type === 'segment-start' ? e[0].segment.id : '');
    expect(id(a)).toBe(id(b));
    const controller = new AbortController();
    const looped: string[] = [];
    for await (const e of new FileSource({ path, realtime: false, loop: true, chunkSec: 1 }, new ManualClock(undefined, { instantSleeps: true })).events(controller.signal)) {
      if (e.type === 'segment-start') looped.push(e.segment.id);
      if (looped.length === 3) controller.abort();
    }
    expect(new Set(looped).size).toBe(3);
    expect(looped[0]).toBe(id(a));
  });

  it('reports an unreadable file as rejected instead of throwing', async () => {
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'not a wav file at all');
    const events = await collect(new FileSource({ path: bad, realtime: false, loop: false, chunkSec: 1 }, new ManualClock(undefined, { instantSleeps: true })).events(new AbortController().signal));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'rejected', path: bad });
  });
});
