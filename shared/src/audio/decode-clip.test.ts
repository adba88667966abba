import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, AudioTooLongError } from '../errors.js';
import { CLIP_EXTENSION_PATTERN, codecOfKey, sniffCodec } from './clip-codec.js';
import { decodeClip } from './decode-clip.js';
import { encodeWav16 } from './wav-encode.js';

const tone = (sec: number, rateHz = 16000): Float32Array => new Float32Array(Math.round(sec * rateHz)).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rateHz));
// The system encoders the station runs (scripts/system-packages.sh installs them for the tests).
const flac = (wav: Uint8Array): Buffer => execFileSync('flac', ['--silent', '--no-seektable', '--stdout', '-'], { input: wav });
const opus = (wav: Uint8Array): Buffer => execFileSync('opusenc', ['--quiet', '--bitrate', '24', '-', '-'], { input: wav });

describe('clip codecs', () => {
  it('tells the codecs apart by their bytes and by their keys', () => {
    const wav = encodeWav16(tone(0.5), 16000);
    expect(sniffCodec(wav)).toBe('wav');
    expect(sniffCodec(flac(wav))).toBe('flac');
    expect(sniffCodec(opus(wav))).toBe('opus');
    expect(sniffCodec(Buffer.from('OggS not opus at all, just text padding padding'))).toBeUndefined();
    expect(codecOfKey('stations/a/2026/01/01/ev.opus')).toBe('opus');
    expect(codecOfKey('stations/a/2026/01/01/ev.mp3')).toBeUndefined();
    expect(CLIP_EXTENSION_PATTERN.test('x.flac')).toBe(true);
  });

  it('decodes long FLAC and Opus (more than one 64 kB slice) to the full length, 44.1 kHz resampled to 16 kHz', async () => {
    const wav = encodeWav16(tone(20, 44100), 44100);
    const fromFlac = await decodeClip(flac(wav));
    expect(fromFlac.original.sampleRateHz).toBe(44100);
    expect(Math.abs(fromFlac.samples.length - 20 * 16000)).toBeLessThanOrEqual(2);
    const fromOpus = await decodeClip(opus(wav));
    expect(fromOpus.codec).toBe('opus');
    expect(Math.abs(fromOpus.durationSec - 20)).toBeLessThan(0.01);
  });

  it('stops decoding past maxSamples (AudioTooLongError) and calls garbage a decode error', async () => {
    const silence = encodeWav16(new Float32Array(16000 * 65), 16000);
    await expect(decodeClip(opus(silence), { maxSamples: 16000 * 60 })).rejects.toBeInstanceOf(AudioTooLongError);
    await expect(decodeClip(flac(silence), { maxSamples: 16000 * 60 })).rejects.toBeInstanceOf(AudioTooLongError);
    const good = flac(encodeWav16(tone(1), 16000));
    await expect(decodeClip(Buffer.concat([good.subarray(0, 60), Buffer.alloc(4000, 0x5a)]))).rejects.toBeInstanceOf(AudioDecodeError);
  });
});
