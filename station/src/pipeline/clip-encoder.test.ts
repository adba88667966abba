import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sniffCodec } from '#shared/audio/clip-codec.js';
import { decodeClip } from '#shared/audio/decode-clip.js';
import type { DetectionEvent } from '#shared/pipeline/types.js';
import { Clipper } from './clipper.js';
import { clipEncoderFor, ClipEncodeError, ProcessEncoder } from './clip-encoder.js';
import { RecentAudio } from './recent-audio.js';

const RATE_HZ = 16000;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** One second: a decaying noise burst (a shot-like transient) over a quiet tone. */
function burst(): Float32Array {
  let seed = 7;
  const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return new Float32Array(RATE_HZ).map((_, i) => 0.05 * Math.sin((2 * Math.PI * 440 * i) / RATE_HZ) + (i > 4000 ? 0.8 * Math.exp(-(i - 4000) / 800) * noise() : 0));
}

const config = { opusBitrateKbps: 24, flacLevel: 5, timeoutMs: 10_000 };

describe('clip encoders', () => {
  it('flac is lossless: the decoded copy equals the 16-bit input', async () => {
    const input = burst();
    const bytes = await clipEncoderFor({ ...config, codec: 'flac' }).encode(input, RATE_HZ);
    expect(sniffCodec(bytes)).toBe('flac');
    const decoded = await decodeClip(bytes);
    expect(decoded.codec).toBe('flac');
    expect(decoded.samples.length).toBe(input.length);
    const maxErr = decoded.samples.reduce((m, x, i) => Math.max(m, Math.abs(x - (input[i] ?? 0))), 0);
    expect(maxErr).toBeLessThan(1 / 16384); // 16-bit quantisation only
    expect(bytes.byteLength).toBeLessThan(2 * input.length); // smaller than the WAV
  });

  it('opus keeps the length and the burst, at a fraction of the size', async () => {
    const input = burst();
    const bytes = await clipEncoderFor({ ...config, codec: 'opus' }).encode(input, RATE_HZ);
    expect(sniffCodec(bytes)).toBe('opus');
    expect(bytes.byteLength).toBeLessThan(6000); // 24 kbit/s for 1 s is ~3 kB plus headers
    const decoded = await decodeClip(bytes);
    expect(decoded.samples.length).toBe(input.length);
    const energy = (a: Float32Array, from: number, to: number): number => a.subarray(from, to).reduce((s, x) => s + x * x, 0);
    const ratio = energy(decoded.samples, 4000, 6000) / energy(input, 4000, 6000);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(1.5);
  });

  it('encodes the same audio to the same bytes every time (a clip rewritten after a crash keeps its recorded sha256)', async () => {
    for (const codec of ['flac', 'opus'] as const) {
      const encoder = clipEncoderFor({ ...config, codec });
      const [a, b] = [await encoder.encode(burst(), RATE_HZ), await encoder.encode(burst(), RATE_HZ)];
      expect(Buffer.from(a).equals(Buffer.from(b)), codec).toBe(true);
    }
  });

  it('a missing encoder program is a ClipEncodeError', async () => {
    const encoder = new ProcessEncoder('flac', 'ecosight-no-such-encoder', () => [], 1000);
    await expect(encoder.encode(burst(), RATE_HZ)).rejects.toBeInstanceOf(ClipEncodeError);
  });

  it('an encoder killed halfway leaves no file (not even a temp file) in the clip folder', async () => {
    const clipsDir = mkdtempSync(join(tmpdir(), 'clip-encoder-'));
    dirs.push(clipsDir);
    // Writes part of its output, then dies by SIGKILL as an OOM kill or power loss would.
    const dying = new ProcessEncoder('flac', 'sh', () => ['-c', 'head -c 4096 >/dev/null; printf fLaC-partial; kill -9 $$'], 10_000);
    const recent = new RecentAudio({ sampleRateHz: RATE_HZ, preRollSamples: 0, postRollSamples: 0, maxEventSamples: RATE_HZ });
    recent.write(0, burst());
    const clipper = new Clipper({ sampleRateHz: RATE_HZ, preRollSamples: 0, postRollSamples: 0, clipsDir, encoder: dying }, recent);
    const event = { id: 'ev-1', label: 'gunshot', startSample: 0, endSample: 8000 } as DetectionEvent;
    clipper.schedule(event, '2026/01/01/ev-1.flac');
    const [pending] = clipper.takeReady(true);
    await expect(clipper.write(pending as NonNullable<typeof pending>)).rejects.toThrow(/killed \(SIGKILL\)/);
    expect(readdirSync(clipsDir, { recursive: true }).map(String).filter((f) => !f.match(/^\d+(\/\d+)*$/))).toEqual([]);
  });

  it('an encoder that hangs is killed after its timeout', async () => {
    const hung = new ProcessEncoder('opus', 'sleep', () => ['30'], 200);
    await expect(hung.encode(burst(), RATE_HZ)).rejects.toThrow(/killed/);
  });
});
