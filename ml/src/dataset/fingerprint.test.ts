import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { seededRandom, sine } from '#testkit/signals.js';
import { runCommand } from './fetch/run-command.js';
import { dedupeRecordings } from './dedupe.js';
import { deserializeFingerprint, fingerprintAudio, isSameRecording, serializeFingerprint, type AudioFingerprint } from './fingerprint.js';

/** A gunshot-like burst: decaying noise (seeded) over a low thump, 0.2 s of silence either side. */
function burst(seed: number, seconds = 0.6, rateHz = 16000): Float32Array {
  const rnd = seededRandom(seed);
  const out = new Float32Array(Math.round((seconds + 0.4) * rateHz));
  const start = Math.round(0.2 * rateHz);
  for (let i = 0; i < seconds * rateHz; i += 1) {
    const t = i / rateHz;
    out[start + i] = 0.8 * Math.exp(-t / 0.08) * ((rnd() * 2 - 1) * 0.7 + 0.3 * Math.sin(2 * Math.PI * 90 * t));
  }
  return out;
}

describe('audio fingerprints', () => {
  let dir: string;
  const fp = (samples: Float32Array): AudioFingerprint => fingerprintAudio(samples);

  /** Encodes with sox (`args` are output options), then converts back to 16 kHz WAV the way data:fetch does. */
  async function viaSox(samples: Float32Array, name: string, args: string[], effects: string[] = []): Promise<Float32Array> {
    const src = join(dir, `${name}-src.wav`);
    await writeFile(src, encodeWav16(samples, 16000));
    const copy = join(dir, name);
    await runCommand('sox', ['-R', src, ...args, copy, ...effects]);
    const back = join(dir, `${name}-16k.wav`);
    await runCommand('sox', ['-R', copy, '-r', '16000', '-c', '1', '-b', '16', back]);
    return decodeWav(new Uint8Array(await readFile(back))).samples;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecosight-fp-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('matches a copy re-encoded as Ogg at 44.1 kHz stereo, 6 dB quieter, with extra leading silence', async () => {
    const original = burst(1);
    const copy = await viaSox(original, 'copy.ogg', ['-r', '44100', '-c', '2'], ['gain', '-6', 'pad', '0.15']);
    expect(isSameRecording(fp(original), fp(copy))).toBe(true);
  });

  it('matches an 8-bit 11,025 Hz copy', async () => {
    const original = burst(2);
    const copy = await viaSox(original, 'copy-8bit.wav', ['-r', '11025', '-b', '8', '-e', 'unsigned-integer']);
    expect(isSameRecording(fp(original), fp(copy))).toBe(true);
  });

  it('does not match another take with the same envelope, spectrum and thump, a different tone, or a longer tone', () => {
    expect(isSameRecording(fp(sine(440, 0.3)), fp(sine(440, 0.4)))).toBe(false);
    expect(isSameRecording(fp(burst(1)), fp(burst(3)))).toBe(false);
    expect(isSameRecording(fp(sine(440, 1)), fp(sine(880, 1)))).toBe(false);
    expect(isSameRecording(fp(sine(440, 0.5)), fp(sine(440, 1)))).toBe(false);
  });

  it('treats two silent files of one length as one recording, and survives the sidecar round trip', () => {
    const silent = fp(new Float32Array(16000));
    expect(silent.trimmedSec).toBe(0);
    expect(isSameRecording(silent, fp(new Float32Array(16000)))).toBe(true);
    const f = fp(burst(5));
    const back = deserializeFingerprint(serializeFingerprint(f));
    expect(back.trimmedSec).toBeCloseTo(f.trimmedSec, 5);
    expect(isSameRecording(f, back)).toBe(true);
  });

  it('dedupe keeps one copy per recording, the preferred one, so no split can hold it twice', async () => {
    const shot = burst(7);
    const items = [
      { record: { package: 'b-pkg', path: 'shot.wav' }, fingerprint: fp(shot) },
      { record: { package: 'a-pkg', path: 'gun.ogg' }, fingerprint: fp(await viaSox(shot, 'gun.ogg', ['-r', '22050'])) },
      { record: { package: 'c-pkg', path: 'other.wav' }, fingerprint: fp(burst(8)) },
      { record: { package: 'c-pkg', path: 'tone.wav' }, fingerprint: fp(sine(440, 0.5)) },
    ];
    const { kept, dropped } = dedupeRecordings(items, (x, y) => x.package.localeCompare(y.package));
    expect(kept.map((r) => r.path).sort()).toEqual(['gun.ogg', 'other.wav', 'tone.wav']);
    expect(dropped).toEqual([{ dropped: items[0].record, keptAs: items[1].record }]);
    // Any leave-package-out split of what is kept has the shot on one side only.
    for (const held of ['a-pkg', 'b-pkg', 'c-pkg']) {
      const sides = [kept.filter((r) => r.package === held), kept.filter((r) => r.package !== held)];
      const shotSides = sides.filter((side) => side.some((r) => r.path === 'gun.ogg' || r.path === 'shot.wav'));
      expect(shotSides).toHaveLength(1);
    }
  });
});
