import { AudioDecodeError } from '../errors.js';

/** Sample encodings the decoder understands. */
export type SampleEncoding = 'uint8' | 'int16' | 'int24' | 'int32' | 'float32' | 'float64';

/** What a WAV header says about the audio that follows. */
export interface WavFormat {
  sampleRateHz: number;
  channels: number;
  encoding: SampleEncoding;
  /** Bytes per sample of one channel. */
  bytesPerSample: number;
  /** Bytes per frame (all channels of one instant). */
  blockAlign: number;
  /** Byte offset of the first audio byte in the file. */
  dataOffset: number;
  /** Length of the audio data in bytes (whole frames only). */
  dataBytes: number;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// Writers that stream to a pipe cannot seek back to fix sizes; they leave these.
const STREAMING_SIZES = new Set([0, 0xffffffff, 0x7fffffff, 0x7ffff000]);
const MAX_CHANNELS = 64;

/**
 * Parses the RIFF/WAVE header. `header` must hold at least the bytes up to the
 * start of the data chunk; `fileBytes` is the total size of the file so that a
 * truncated data chunk is reported rather than silently shortened.
 */
export function parseWavHeader(header: Uint8Array, fileBytes: number): WavFormat {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.byteLength < 12) throw new AudioDecodeError(`not a WAV file: only ${header.byteLength} bytes`);
  const riff = ascii(header, 0, 4);
  if (riff === 'RF64') throw new AudioDecodeError('RF64 (WAV over 4 GiB) is not supported');
  if (riff !== 'RIFF' || ascii(header, 8, 4) !== 'WAVE') {
    throw new AudioDecodeError('not a WAV file: missing RIFF/WAVE signature');
  }
  let offset = 12;
  let fmt: Omit<WavFormat, 'dataOffset' | 'dataBytes'> | undefined;
  while (offset + 8 <= header.byteLength) {
    const id = ascii(header, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + Math.min(size, 16) > header.byteLength) throw new AudioDecodeError('truncated WAV: fmt chunk cut short');
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (!fmt) throw new AudioDecodeError('invalid WAV: data chunk before fmt chunk');
      return { ...fmt, dataOffset: body, dataBytes: dataLength(size, body, fileBytes, fmt.blockAlign) };
    }
    offset = body + size + (size % 2); // chunks are word aligned
  }
  if (offset > fileBytes || offset + 8 > fileBytes) {
    throw new AudioDecodeError(fmt ? 'truncated WAV: no data chunk before end of file' : 'truncated WAV: no fmt chunk');
  }
  throw new AudioDecodeError('WAV header larger than the bytes supplied');
}

function dataLength(declared: number, body: number, fileBytes: number, blockAlign: number): number {
  const available = Math.max(0, fileBytes - body);
  if (STREAMING_SIZES.has(declared)) return available - (available % blockAlign);
  if (declared > available) {
    throw new AudioDecodeError(`truncated WAV: data chunk declares ${declared} bytes but only ${available} remain`);
  }
  return declared - (declared % blockAlign);
}

function parseFmt(view: DataView, body: number, size: number): Omit<WavFormat, 'dataOffset' | 'dataBytes'> {
  if (size < 16) throw new AudioDecodeError(`invalid WAV: fmt chunk is ${size} bytes, need 16`);
  let tag = view.getUint16(body, true);
  const channels = view.getUint16(body + 2, true);
  const sampleRateHz = view.getUint32(body + 4, true);
  const blockAlign = view.getUint16(body + 12, true);
  const bitsPerSample = view.getUint16(body + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40 || view.byteLength < body + 26) throw new AudioDecodeError('invalid WAV: short WAVE_FORMAT_EXTENSIBLE header');
    tag = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
  }
  if (channels < 1 || channels > MAX_CHANNELS) throw new AudioDecodeError(`unsupported WAV: ${channels} channels`);
  if (sampleRateHz < 1000 || sampleRateHz > 768000) throw new AudioDecodeError(`unsupported WAV: sample rate ${sampleRateHz} Hz`);
  const encoding = encodingOf(tag, bitsPerSample);
  const bytesPerSample = bytesOf(encoding);
  if (blockAlign !== bytesPerSample * channels) {
    throw new AudioDecodeError(`invalid WAV: block align ${blockAlign} does not match ${channels} x ${bitsPerSample}-bit`);
  }
  return { sampleRateHz, channels, encoding, bytesPerSample, blockAlign };
}

function encodingOf(tag: number, bits: number): SampleEncoding {
  if (tag === WAVE_FORMAT_PCM) {
    if (bits === 8) return 'uint8';
    if (bits === 16) return 'int16';
    if (bits === 24) return 'int24';
    if (bits === 32) return 'int32';
    throw new AudioDecodeError(`unsupported WAV: ${bits}-bit integer PCM`);
  }
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) return 'float32';
    if (bits === 64) return 'float64';
    throw new AudioDecodeError(`unsupported WAV: ${bits}-bit float`);
  }
  throw new AudioDecodeError(`unsupported WAV encoding: format tag 0x${tag.toString(16).padStart(4, '0')} (only PCM and IEEE float are decoded)`);
}

function bytesOf(encoding: SampleEncoding): number {
  switch (encoding) {
    case 'uint8': return 1;
    case 'int16': return 2;
    case 'int24': return 3;
    case 'int32': return 4;
    case 'float32': return 4;
    case 'float64': return 8;
  }
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
