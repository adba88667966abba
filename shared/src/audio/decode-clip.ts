import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { AudioDecodeError, AudioTooLongError } from '../errors.js';
import { sniffCodec, type ClipCodec } from './clip-codec.js';
import { resample } from './resampler.js';
import { SAMPLE_RATE_HZ } from './sample-rate.js';
import { decodeWav, type DecodedWav } from './wav-decode.js';

/** Decoded audio plus the codec the bytes held. */
export interface DecodedClip extends DecodedWav {
  codec: ClipCodec;
}

export interface DecodeClipOptions {
  /** Output rate (default the model's 16 kHz). */
  targetRateHz?: number;
  /**
   * Refuse (AudioTooLongError) once the output would pass this many samples at
   * `targetRateHz`: a few kB of FLAC silence or low-rate Opus decode to hours of float32.
   */
  maxSamples?: number;
}

/** Compressed bytes go to the WebAssembly decoders in slices this big, so the bound is checked as we go. */
const SLICE_BYTES = 64 * 1024;

/**
 * Decodes a clip of any station codec (WAV, FLAC, Ogg Opus: told apart by their
 * magic bytes, not the name) into mono float32 at `targetRateHz`. The compressed
 * codecs use WebAssembly builds of libFLAC and libopus (in process: no child per
 * request, no system package in the cloud image). Throws AudioDecodeError or
 * AudioTooLongError, nothing else.
 */
export async function decodeClip(bytes: Uint8Array, options: DecodeClipOptions = {}): Promise<DecodedClip> {
  const targetRateHz = options.targetRateHz ?? SAMPLE_RATE_HZ;
  const codec = sniffCodec(bytes);
  if (codec === 'wav' || codec === undefined) return { ...decodeWav(bytes, targetRateHz), codec: 'wav' };
  const bound = { maxSamples: options.maxSamples ?? Number.POSITIVE_INFINITY, targetRateHz };
  let pcm: { channels: Float32Array[]; sampleRateHz: number };
  try {
    // Opus decodes natively at 8/12/16/24/48 kHz: ask for the target rate when it is one of them.
    pcm = codec === 'flac' ? await decodeFlac(bytes, bound) : await decodeOpus(bytes, bound, opusRate(targetRateHz));
  } catch (err) {
    if (err instanceof AudioTooLongError || err instanceof AudioDecodeError) throw err;
    throw new AudioDecodeError(`cannot decode ${codec.toUpperCase()}: ${(err as Error).message}`, { cause: err });
  }
  const mono = mixDown(pcm.channels);
  if (mono.length === 0) throw new AudioDecodeError(`the ${codec.toUpperCase()} stream holds no audio`);
  return {
    samples: resample(mono, pcm.sampleRateHz, targetRateHz),
    sampleRateHz: targetRateHz,
    original: { sampleRateHz: pcm.sampleRateHz, channels: pcm.channels.length, encoding: 'float32' },
    durationSec: mono.length / pcm.sampleRateHz,
    codec,
  };
}

interface Bound {
  maxSamples: number;
  targetRateHz: number;
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: readonly { message: string }[];
}

/** Feeds slices, collects the output per channel, and stops at the first error or past the bound. */
async function collect(bytes: Uint8Array, bound: Bound, decode: (slice: Uint8Array) => Promise<Decoded> | Decoded, flush: () => Promise<Decoded>): Promise<{ channels: Float32Array[]; sampleRateHz: number }> {
  const parts: Float32Array[][] = [];
  let total = 0;
  let sampleRateHz = 0;
  const take = (d: Decoded): void => {
    if (d.errors.length > 0) throw new AudioDecodeError(`corrupt stream: ${d.errors[0]?.message ?? 'decode error'}`);
    if (d.samplesDecoded === 0) return;
    sampleRateHz = d.sampleRate;
    parts.push(d.channelData);
    total += d.samplesDecoded;
    if ((total * bound.targetRateHz) / sampleRateHz > bound.maxSamples) {
      throw new AudioTooLongError(`the decoded audio is longer than ${(bound.maxSamples / bound.targetRateHz / 60).toFixed(1)} minutes`);
    }
  };
  for (let offset = 0; offset < bytes.byteLength; offset += SLICE_BYTES) take(await decode(bytes.subarray(offset, offset + SLICE_BYTES)));
  take(await flush());
  const channelCount = parts[0]?.length ?? 0;
  const channels = Array.from({ length: channelCount }, (_, c) => concat(parts.map((p) => p[c] ?? new Float32Array(0)), total));
  return { channels, sampleRateHz };
}

async function decodeFlac(bytes: Uint8Array, bound: Bound): Promise<{ channels: Float32Array[]; sampleRateHz: number }> {
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    return await collect(bytes, bound, (s) => decoder.decode(s), () => decoder.flush());
  } finally {
    decoder.free();
  }
}

async function decodeOpus(bytes: Uint8Array, bound: Bound, rateHz: number): Promise<{ channels: Float32Array[]; sampleRateHz: number }> {
  // `sampleRate` is an option of the decoder that its type declarations leave out.
  const decoder = new OggOpusDecoder({ sampleRate: rateHz } as ConstructorParameters<typeof OggOpusDecoder>[0]);
  await decoder.ready;
  try {
    return await collect(bytes, bound, (s) => decoder.decode(s), () => decoder.flush());
  } finally {
    decoder.free();
  }
}

function opusRate(targetRateHz: number): number {
  return [8000, 12000, 16000, 24000, 48000].includes(targetRateHz) ? targetRateHz : 48000;
}

function concat(parts: Float32Array[], total: number): Float32Array {
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p.subarray(0, total - at), at);
    at += p.length;
  }
  return out;
}

function mixDown(channels: Float32Array[]): Float32Array {
  if (channels.length <= 1) return channels[0] ?? new Float32Array(0);
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + (ch[i] ?? 0) / channels.length;
  return out;
}
