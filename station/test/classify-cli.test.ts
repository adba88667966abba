import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { whiteNoise } from '#testkit/signals.js';
import { addModelledGunfire } from '#testkit/gunfire.js';
import { sox } from '#testkit/sox.js';
import { tempDir, writeWav } from './helpers.js';
import { STATION_CLI } from './station-process.js';

const run = promisify(execFile);

async function classify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [STATION_CLI, 'classify', ...args], { env: { ...process.env, ECOSIGHT_TF_BACKEND: 'wasm' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('ecosight-station classify (the shipped model, offline)', () => {
  const dir = tempDir();
  // A modelled five-shot automatic burst 120 m away, arriving 3 s into 8 s of a quiet noise floor.
  const shots = whiteNoise(8, 0.003, 3);
  const burst = addModelledGunfire(shots, 16000 * 3, 't-c', { distanceM: 120, pattern: 'automatic', shotCount: 5 });
  const firstArrivalSec = 3 + Math.min(...burst.blastArrivalsSec, ...burst.crackArrivalsSec);
  const gunshotPath = writeWav(join(dir, 'gunshots.wav'), shots);
  const silencePath = join(dir, 'silence.wav');
  sox(['-n', '-r', '44100', '-c', '2', '-b', '16', silencePath, 'trim', '0', '6']);

  it('prints JSON lines with exactly file, label, startSec, endSec, confidence for a burst of gunfire, and nothing for silence', async () => {
    const { code, stdout } = await classify([gunshotPath, silencePath, '--format', 'json']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const d of lines) {
      expect(Object.keys(d)).toEqual(['file', 'label', 'startSec', 'endSec', 'confidence']);
      expect(d.file).toBe(gunshotPath);
    }
    const gunshot = lines.find((d) => d.label === 'gunshot');
    expect(gunshot).toBeDefined();
    // The two-stage detector (models/onset) reports the first shot's onset, to a few milliseconds.
    expect(Math.abs(Number(gunshot?.startSec) - firstArrivalSec)).toBeLessThanOrEqual(0.02);
    expect(Number(gunshot?.endSec)).toBeGreaterThan(firstArrivalSec);
    expect(lines.filter((d) => d.file === silencePath)).toEqual([]);
  });

  it('writes a Raven Pro selection table', async () => {
    const { code, stdout } = await classify([gunshotPath, '--format', 'raven']);
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trim().split('\n');
    expect(header.split('\t')).toEqual(['Selection', 'View', 'Channel', 'Begin File', 'Begin Time (s)', 'End Time (s)', 'Low Freq (Hz)', 'High Freq (Hz)', 'Label', 'Confidence']);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0].split('\t').slice(0, 4)).toEqual(['1', 'Spectrogram 1', '1', gunshotPath]);
  });

  it('reports an unreadable file clearly, still classifies the others, and exits 1', async () => {
    const bad = join(dir, 'notes.wav');
    writeFileSync(bad, 'this is a text file');
    const { code, stdout, stderr } = await classify([bad, gunshotPath, '--format', 'json']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/not a WAV file/);
    expect(stdout).toContain('gunshot');
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await classify([])).code).toBe(2);
    expect((await classify([gunshotPath, '--format', 'xml'])).code).toBe(2);
  });
});
