import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ClipCodec } from '#shared/audio/clip-codec.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { EcoSightError } from '#shared/errors.js';

/** The encoder program failed, was killed or is missing; nothing was written. */
export class ClipEncodeError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLIP_ENCODE', message, options);
  }
}

/** Turns a clip's samples into the bytes of one file. Pure: it never writes the clip itself. */
export interface ClipEncoder {
  readonly codec: ClipCodec;
  encode(samples: Float32Array, sampleRateHz: number): Promise<Uint8Array>;
}

export interface ClipEncoderConfig {
  codec: ClipCodec;
  /** opus: target bitrate, kbit/s. */
  opusBitrateKbps: number;
  /** flac: compression level 0 (fastest) to 8 (smallest). */
  flacLevel: number;
  /** An encoder still running after this long is killed and the write fails. */
  timeoutMs: number;
}

/** 16-bit PCM WAV, in process. */
export class WavEncoder implements ClipEncoder {
  readonly codec = 'wav' as const;

  encode(samples: Float32Array, sampleRateHz: number): Promise<Uint8Array> {
    return Promise.resolve(encodeWav16(samples, sampleRateHz));
  }
}

/**
 * Runs a system encoder (`flac`, `opusenc`: native code, fast on a Pi's ARM cores)
 * with the WAV on stdin and the result on stdout, held in memory. The caller writes
 * the bytes atomically, so an encoder killed halfway leaves no file at all.
 */
export class ProcessEncoder implements ClipEncoder {
  /**
   * @param argsFor the encoder's arguments for one input WAV (Opus takes a stream serial
   *   derived from the audio, so the same clip always encodes to the same bytes).
   */
  constructor(
    readonly codec: ClipCodec,
    private readonly command: string,
    private readonly argsFor: (wav: Uint8Array) => readonly string[],
    private readonly timeoutMs: number,
  ) {}

  async encode(samples: Float32Array, sampleRateHz: number): Promise<Uint8Array> {
    const wav = encodeWav16(samples, sampleRateHz);
    return runEncoder(this.command, this.argsFor(wav), wav, this.timeoutMs);
  }

}

export function clipEncoderFor(config: ClipEncoderConfig): ClipEncoder {
  if (config.codec === 'flac') {
    return new ProcessEncoder('flac', 'flac', () => ['--silent', `-${config.flacLevel}`, '--no-seektable', '--stdout', '-'], config.timeoutMs);
  }
  if (config.codec === 'opus') {
    // opusenc picks a random Ogg serial per stream: a clip re-encoded after a crash (the recording is
    // replayed) would then differ from the bytes whose sha256 the database already holds. A serial
    // from the audio itself makes the output deterministic. Bitrate: see docs/benchmarks.md.
    const args = (wav: Uint8Array): string[] => ['--quiet', '--serial', String(serialOf(wav)), '--bitrate', String(config.opusBitrateKbps), '-', '-'];
    return new ProcessEncoder('opus', 'opusenc', args, config.timeoutMs);
  }
  return new WavEncoder();
}

function serialOf(wav: Uint8Array): number {
  return createHash('sha256').update(wav).digest().readUInt32BE(0) & 0x7fffffff;
}

function runEncoder(command: string, args: readonly string[], input: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 2000) stderr += b.toString();
    });
    // EPIPE when the encoder dies before reading everything: the exit handler reports it.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ClipEncodeError(`${command} could not start: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new ClipEncodeError(`${command} ${signal ? `was killed (${signal})` : `exited ${code}`}: ${stderr.trim().slice(0, 300)}`));
    });
    child.stdin.end(input);
  });
}

/**
 * Encodes a short tone and checks the result: used at start-up so a station whose
 * encoder is missing says so once and falls back to WAV rather than losing clips.
 */
export async function probeEncoder(encoder: ClipEncoder): Promise<void> {
  const tone = new Float32Array(1600).map((_, i) => 0.1 * Math.sin(i / 5));
  const bytes = await encoder.encode(tone, 16000);
  if (bytes.byteLength < 16) throw new ClipEncodeError(`${encoder.codec} encoder produced ${bytes.byteLength} bytes`);
}
