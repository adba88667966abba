import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { beforeAll, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../errors.js';
import { goertzelPower, rms, sine } from '#testkit/signals.js';
import { sox } from '#testkit/sox.js';
import { decodeWav } from './wav-decode.js';
import { WavFileReader } from './wav-file-reader.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecosight-wav-'));
});

/** A 1 kHz tone at -6 dBFS written by sox with the given encoding options. */
function soxTone(name: string, rateHz: number, channels: number, encodingArgs: string[]): string {
  const path = join(dir, name);
  sox(['-n', '-r', String(rateHz), '-c', String(channels), ...encodingArgs, path, 'synth', '1.5', 'sine', '1000', 'gain', '-6']);
  return path;
}

function expectTone(samples: Float32Array, rateHz: number): void {
  expect(samples.length).toBeGreaterThan(0);
  const level = rms(samples.subarray(1000, samples.length - 1000));
  expect(level).toBeCloseTo(0.5 / Math.SQRT2, 1); // -6 dBFS sine
  const onTone = goertzelPower(samples, 1000, rateHz);
  const offTone = goertzelPower(samples, 3000, rateHz);
  expect(onTone).toBeGreaterThan(1000 * offTone);
}

describe('decodeWav with files written by sox', () => {
  const cases: Array<[string, number, number, string[]]> = [
    ['s8u.wav', 16000, 1, ['-b', '8', '-e', 'unsigned-integer']],
    ['s16.wav', 16000, 1, ['-b', '16', '-e', 'signed-integer']],
    ['s24-48k.wav', 48000, 1, ['-b', '24', '-e', 'signed-integer']],
    ['s32-44k1-stereo.wav', 44100, 2, ['-b', '32', '-e', 'signed-integer']],
    ['f32-22k05.wav', 22050, 1, ['-b', '32', '-e', 'floating-point']],
    ['s16-8k.wav', 8000, 1, ['-b', '16', '-e', 'signed-integer']],
    ['s16-96k-4ch.wav', 96000, 4, ['-b', '16', '-e', 'signed-integer']],
  ];
  for (const [name, rate, channels, args] of cases) {
    it(`decodes ${name} to 16 kHz mono`, () => {
      const decoded = decodeWav(readFileSync(soxTone(name, rate, channels, args)));
      expect(decoded.sampleRateHz).toBe(16000);
      expect(decoded.original.sampleRateHz).toBe(rate);
      expect(decoded.original.channels).toBe(channels);
      expect(decoded.durationSec).toBeCloseTo(1.5, 2);
      expect(decoded.samples.length).toBe(24000);
      expectTone(decoded.samples, 16000);
    });
  }

  it('streams a long file in chunks that add up to the whole', async () => {
    const path = soxTone('long-48k.wav', 48000, 2, ['-b', '16']);
    const whole = decodeWav(readFileSync(path)).samples;
    const parts: Float32Array[] = [];
    for await (const chunk of new WavFileReader(path).chunks(0.25)) parts.push(chunk);
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    expect(joined.length).toBe(whole.length);
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(joined[i] - whole[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('removes energy above the new Nyquist when downsampling', () => {
    const path = join(dir, 'alias.wav');
    sox(['-n', '-r', '48000', '-b', '16', path, 'synth', '1', 'sine', '12000', 'gain', '-6']);
    const decoded = decodeWav(readFileSync(path));
    // A 12 kHz tone cannot exist at 16 kHz; without a filter it would alias to 4 kHz.
    expect(rms(decoded.samples)).toBeLessThan(0.01);
  });
});

describe('decodeWav with files written by wavefile', () => {
  it('decodes stereo 32-bit float and averages channels', () => {
    const left = sine(1000, 1, 32000, 0.5);
    const right = sine(1000, 1, 32000, 0.5);
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 32000, '32f', [Array.from(left), Array.from(right)]);
    const decoded = decodeWav(wav.toBuffer());
    expect(decoded.original.encoding).toBe('float32');
    expectTone(decoded.samples, 16000);
  });

  it('decodes 24-bit PCM at full scale without wrapping', () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 16000, '24', [8388607, -8388608, 0, 4194304]);
    const s = decodeWav(wav.toBuffer()).samples;
    expect(Array.from(s).map((x) => Math.round(x * 1000) / 1000)).toEqual([1, -1, 0, 0.5]);
  });
});

describe('decodeWav rejects bad input with AudioDecodeError', () => {
  const good = (): Uint8Array => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 16000, '16', new Int16Array(16000));
    return wav.toBuffer();
  };
  const bad: Array<[string, () => Uint8Array, RegExp]> = [
    ['an empty file', () => new Uint8Array(0), /only 0 bytes/],
    ['a text file renamed .wav', () => new TextEncoder().encode('hello, this is not audio at all, honest'), /RIFF\/WAVE/],
    ['a truncated data chunk', () => good().subarray(0, 20000), /truncated/],
    ['a header cut inside fmt', () => good().subarray(0, 30), /truncated/],
    ['zero channels', () => { const b = good(); b[22] = 0; return b; }, /0 channels/],
  ];
  for (const [what, make, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => decodeWav(make())).toThrowError(AudioDecodeError);
      expect(() => decodeWav(make())).toThrowError(message);
    });
  }

  it('rejects mu-law (unsupported encoding) written by sox', () => {
    const path = join(dir, 'ulaw.wav');
    sox(['-n', '-r', '8000', '-e', 'mu-law', path, 'synth', '0.5', 'sine', '440']);
    expect(() => decodeWav(readFileSync(path))).toThrowError(/unsupported WAV encoding: format tag 0x0007/);
  });

  it('reports a missing file as AudioDecodeError', async () => {
    await expect(new WavFileReader(join(dir, 'nope.wav')).probe()).rejects.toThrowError(AudioDecodeError);
  });

  it('accepts a streaming header whose data size was never filled in', () => {
    const b = good();
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    view.setUint32(40, 0xffffffff, true);
    writeFileSync(join(dir, 'streamed.wav'), b);
    expect(decodeWav(b).samples.length).toBe(16000);
  });
});
