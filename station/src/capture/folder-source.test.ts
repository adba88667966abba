import { existsSync, readdirSync, writeFileSync, openSync, writeSync, closeSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { sine } from '#testkit/signals.js';
import { quietLogger, tempDir, writeWav } from '../../test/helpers.js';
import { openDatabase } from '../store/database.js';
import { ProcessedFiles } from './processed-files.js';
import { systemClock } from '../core/clock.js';
import type { SourceEvent } from './audio-source.js';
import { FolderSource, type FolderSourceOptions } from './folder-source.js';

function setup(overrides: Partial<FolderSourceOptions> = {}) {
  const root = tempDir();
  const options: FolderSourceOptions = {
    dir: join(root, 'drop'), extension: '.wav', stableSec: 0.2, afterProcessing: 'move',
    processedDir: join(root, 'processed'), rejectedDir: join(root, 'rejected'), exitWhenIdle: true, chunkSec: 1, ...overrides,
  };
  const dbPath = join(root, 'station.db');
  return { root, options, dbPath };
}

function old(path: string): string {
  const t = new Date(Date.now() - 60_000);
  utimesSync(path, t, t);
  return path;
}

async function runOnce(options: FolderSourceOptions, dbPath: string, stopAfter?: (e: SourceEvent) => boolean): Promise<SourceEvent[]> {
  const db = openDatabase(dbPath);
  const source = new FolderSource(options, new ProcessedFiles(db), systemClock, quietLogger());
  const controller = new AbortController();
  const events: SourceEvent[] = [];
  try {
    for await (const e of source.events(controller.signal)) {
      events.push(e);
      if (stopAfter?.(e)) controller.abort();
    }
  } finally {
    db.close();
  }
  return events;
}

const segments = (events: SourceEvent[]) => events.flatMap((e) => (e.type === 'segment-start' ? [e.segment.source] : []));

describe('FolderSource', () => {
  it('processes files oldest name first, takes the time from AudioMoth names, moves them and remembers them', async () => {
    const { options, dbPath } = setup();
    old(writeWav(join(options.dir, '20261126_101500.WAV'), sine(500, 1.5)));
    old(writeWav(join(options.dir, '20261126_100000.WAV'), sine(700, 1.5)));
    writeFileSync(join(options.dir, 'notes.txt'), 'ignored');
    const events = await runOnce(options, dbPath);
    expect(segments(events)).toEqual(['20261126_100000.WAV', '20261126_101500.WAV']);
    const first = events.find((e) => e.type === 'segment-start');
    expect(first?.type === 'segment-start' && first.segment.startTimeMs).toBe(Date.UTC(2026, 10, 26, 10, 0, 0));
    expect(readdirSync(options.processedDir).sort()).toEqual(['20261126_100000.WAV', '20261126_101500.WAV']);
    expect(readdirSync(options.dir)).toEqual(['notes.txt']);
    // The same content dropped again (a recorder re-sync) is not processed twice.
    old(writeWav(join(options.dir, 'copy.wav'), sine(700, 1.5)));
    expect(segments(await runOnce(options, dbPath))).toEqual([]);
  });

  it('survives a restart in the middle of a file: the unfinished file is processed again, finished ones are not', async () => {
    const { options, dbPath } = setup({ afterProcessing: 'keep' });
    old(writeWav(join(options.dir, 'a.wav'), sine(500, 3)));
    old(writeWav(join(options.dir, 'b.wav'), sine(600, 3)));
    let inB = false;
    const first = await runOnce(options, dbPath, (e) => {
      if (e.type === 'segment-start') inB = e.segment.source === 'b.wav';
      return inB && e.type === 'audio';
    });
    expect(segments(first)).toEqual(['a.wav', 'b.wav']);
    expect(first.at(-1)).toEqual({ type: 'segment-end', reason: 'stopped' });
    const second = await runOnce(options, dbPath);
    expect(segments(second)).toEqual(['b.wav']);
    expect(second.at(-1)).toEqual({ type: 'segment-end', reason: 'eof' });
    expect(segments(await runOnce(options, dbPath))).toEqual([]);
  });

  it('waits until a file being written has stopped growing', async () => {
    const { options, dbPath } = setup({ exitWhenIdle: false, stableSec: 0.5 });
    const db = openDatabase(dbPath);
    const source = new FolderSource(options, new ProcessedFiles(db), systemClock, quietLogger());
    const controller = new AbortController();
    const events: SourceEvent[] = [];
    const run = (async () => {
      for await (const e of source.events(controller.signal)) {
        events.push(e);
        if (e.type === 'segment-end') controller.abort();
      }
    })();
    // Write a WAV in pieces, like a recorder flushing its buffer, over ~1 s.
    const bytes = encodeWav16(sine(440, 2), 16000);
    const path = join(options.dir, 'growing.wav');
    await new Promise((r) => setTimeout(r, 300));
    const fd = openSync(path, 'w');
    for (let i = 0; i < bytes.length; i += 8000) {
      writeSync(fd, bytes.subarray(i, Math.min(bytes.length, i + 8000)));
      await new Promise((r) => setTimeout(r, 60));
    }
    closeSync(fd);
    await run;
    db.close();
    const audio = events.filter((e) => e.type === 'audio').reduce((n, e) => n + (e.type === 'audio' ? e.samples.length : 0), 0);
    expect(audio).toBe(32000);
    expect(events.filter((e) => e.type === 'segment-start')).toHaveLength(1);
  });

  it('sets a malformed WAV aside in the rejected folder and carries on with the next file', async () => {
    const { options, dbPath } = setup();
    old(writeWav(join(options.dir, 'b-good.wav'), sine(500, 1)));
    writeFileSync(join(options.dir, 'a-bad.wav'), Buffer.from('RIFF\x00\x00\x00\x00WAVEjunkjunkjunk'));
    old(join(options.dir, 'a-bad.wav'));
    const events = await runOnce(options, dbPath);
    expect(events[0]).toMatchObject({ type: 'rejected', path: join(options.dir, 'a-bad.wav') });
    expect(segments(events)).toEqual(['b-good.wav']);
    expect(existsSync(join(options.rejectedDir, 'a-bad.wav'))).toBe(true);
    const db = openDatabase(dbPath);
    const records = new ProcessedFiles(db).all();
    db.close();
    expect(records.map((r) => [r.path.split('/').at(-1), r.outcome])).toEqual([['a-bad.wav', 'rejected'], ['b-good.wav', 'processed']]);
  });
});
