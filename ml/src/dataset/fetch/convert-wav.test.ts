import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { convertToWav } from './convert-wav.js';

describe('convertToWav', () => {
  const dirs: string[] = [];
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('records a file sox cannot read as failed, and reports it again without rerunning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convert-wav-'));
    dirs.push(dir);
    const source = join(dir, 'broken.wav');
    writeFileSync(source, 'not a wav file at all');
    const out = join(dir, 'out', 'broken.wav');
    const first = await convertToWav({ kind: 'file', path: source }, out, 0);
    expect(first.status).toBe('failed');
    expect(first.error).toMatch(/sox/);
    expect(existsSync(`${out}.failed`)).toBe(true);
    process.env.PATH = dir; // a rerun must come from the record, not from sox
    const second = await convertToWav({ kind: 'file', path: source }, out, 0);
    expect(second).toEqual(first);
  });

  it('throws when sox itself cannot run, and records nothing, so a later run converts the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convert-wav-'));
    dirs.push(dir);
    const source = join(dir, 'tone.wav');
    writeFileSync(source, encodeWav16(new Float32Array(1600), 16000));
    const out = join(dir, 'out', 'tone.wav');
    process.env.PATH = join(dir, 'no-such-bin');
    await expect(convertToWav({ kind: 'file', path: source }, out, 0)).rejects.toThrow(/sox cannot run.*system-packages/);
    expect(existsSync(`${out}.failed`)).toBe(false);
    process.env.PATH = savedPath;
    const later = await convertToWav({ kind: 'file', path: source }, out, 0);
    expect(later.status).toBe('converted');
    expect(later.durationSec).toBeCloseTo(0.1, 3);
  });
});
