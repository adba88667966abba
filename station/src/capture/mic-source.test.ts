import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sine } from '#testkit/signals.js';
import { fakeRecorderBin, quietLogger, tempDir, writeWav } from '../../test/helpers.js';
import { systemClock } from '../core/clock.js';
import type { SourceEvent } from './audio-source.js';
import { MicSource } from './mic-source.js';
import { startRecorder } from './recorder-process.js';

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
  for (const k of ['FAKE_ARECORD_WAV', 'FAKE_ARECORD_STATE', 'FAKE_ARECORD_CRASH_AFTER_SEC', 'FAKE_ARECORD_HANG_AFTER_SEC']) delete process.env[k];
});

/** Runs a MicSource with the fake `arecord` for `seconds`, returning everything it produced. */
async function capture(seconds: number, env: Record<string, string>, stallTimeoutSec = 5): Promise<{ events: SourceEvent[]; source: MicSource }> {
  const dir = tempDir();
  process.env.PATH = `${fakeRecorderBin()}:${originalPath}`;
  process.env.FAKE_ARECORD_WAV = writeWav(join(dir, 'field.wav'), sine(1000, 2, 16000, 0.25));
  process.env.FAKE_ARECORD_STATE = join(dir, 'runs');
  Object.assign(process.env, env);
  const source = new MicSource(
    { recorder: 'arecord', device: 'hw:9,0', stallTimeoutSec, restartMinSec: 0.2, restartMaxSec: 1, maxQueuedSec: 30 },
    startRecorder, systemClock, quietLogger(),
  );
  const controller = new AbortController();
  setTimeout(() => controller.abort(), seconds * 1000);
  const events: SourceEvent[] = [];
  for await (const e of source.events(controller.signal)) events.push(e);
  return { events, source };
}

function audioSeconds(events: SourceEvent[]): number {
  return events.reduce((n, e) => n + (e.type === 'audio' ? e.samples.length : 0), 0) / 16000;
}

describe('MicSource with a recorder streaming a real WAV in real time', () => {
  it('delivers the recording as one segment of real audio and ends it on stop', async () => {
    const { events } = await capture(1.5, {});
    expect(events[0]).toMatchObject({ type: 'segment-start', segment: { kind: 'mic', source: 'mic:hw:9,0' } });
    expect(events.at(-1)).toMatchObject({ type: 'segment-end', reason: 'stopped' });
    expect(audioSeconds(events)).toBeGreaterThan(0.8);
    const first = events.find((e) => e.type === 'audio');
    // The samples are the WAV's 1 kHz tone at 0.25 amplitude, decoded from s16le.
    expect(first?.type === 'audio' && Math.max(...first.samples.subarray(0, 400))).toBeCloseTo(0.25, 2);
  });

  it('restarts a crashed recorder with backoff and records the gap instead of hiding it', async () => {
    const { events, source } = await capture(3.5, { FAKE_ARECORD_CRASH_AFTER_SEC: '1' });
    const starts = events.filter((e) => e.type === 'segment-start');
    const ends = events.filter((e) => e.type === 'segment-end');
    const gaps = events.filter((e) => e.type === 'gap');
    expect(starts).toHaveLength(2);
    expect(ends[0]).toMatchObject({ type: 'segment-end', reason: 'recorder-exit' });
    expect(ends[0].type === 'segment-end' && ends[0].error).toMatch(/exited with (error )?code 1/);
    expect(gaps).toHaveLength(1);
    const gap = gaps[0].type === 'gap' ? gaps[0].gap : undefined;
    expect(gap?.reason).toMatch(/exited with (error )?code 1/);
    expect((gap?.endTimeMs ?? 0) - (gap?.startTimeMs ?? 0)).toBeGreaterThan(100);
    expect(source.stats().restarts).toBe(1);
    // Audio keeps flowing after the restart.
    const afterRestart = events.slice(events.indexOf(starts[1])).filter((e) => e.type === 'audio');
    expect(afterRestart.length).toBeGreaterThan(3);
  });

  it('kills and restarts a recorder that hangs without sending audio', async () => {
    const { events, source } = await capture(3, { FAKE_ARECORD_HANG_AFTER_SEC: '0.6' }, 0.5);
    const ends = events.filter((e) => e.type === 'segment-end');
    expect(ends[0].type === 'segment-end' && ends[0].error).toMatch(/no audio for 0.5 s/);
    expect(source.stats().restarts).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.type === 'segment-start').length).toBeGreaterThanOrEqual(2);
  });
});

describe('MicSource with a recorder that writes garbage', () => {
  it('recognises text on stdout, never passes it on as audio, restarts the recorder and records the gap', async () => {
    const { events, source } = await capture(4, { FAKE_ARECORD_GARBAGE: 'arecord: read error: Input/output error\n' });
    const gaps = events.filter((e) => e.type === 'gap');
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    expect(gaps[0].type === 'gap' && gaps[0].gap.reason).toMatch(/not audio \(DC offset/);
    expect(source.stats().restarts).toBeGreaterThanOrEqual(1);
    // Only the second, healthy recorder's audio arrives: the 1 kHz tone, no DC offset.
    const audio = events.filter((e) => e.type === 'audio');
    expect(audio.length).toBeGreaterThan(3);
    for (const a of audio) {
      if (a.type !== 'audio') continue;
      const mean = a.samples.reduce((s, x) => s + x, 0) / a.samples.length;
      expect(Math.abs(mean)).toBeLessThan(0.05);
    }
    expect(events.filter((e) => e.type === 'segment-start')).toHaveLength(1);
  });
});
