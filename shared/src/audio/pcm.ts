import type { SampleEncoding } from './wav-format.js';

/**
 * Decodes interleaved samples and averages the channels into one mono signal in
 * [-1, 1]. `bytes` must hold whole frames.
 */
export function decodeInterleavedToMono(
  bytes: Uint8Array,
  encoding: SampleEncoding,
  channels: number,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const step = bytesPerSample(encoding);
  const frames = Math.floor(bytes.byteLength / (step * channels));
  const out = new Float32Array(frames);
  const read = readerFor(encoding, view);
  const scale = 1 / channels;
  let offset = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      sum += read(offset);
      offset += step;
    }
    out[f] = sum * scale;
  }
  return out;
}

/** Signed 16-bit little-endian PCM (the format arecord/sox emit raw) to float. */
export function int16ToFloat(bytes: Uint8Array): Float32Array {
  return decodeInterleavedToMono(bytes, 'int16', 1);
}

function bytesPerSample(encoding: SampleEncoding): number {
  return { uint8: 1, int16: 2, int24: 3, int32: 4, float32: 4, float64: 8 }[encoding];
}

function readerFor(encoding: SampleEncoding, view: DataView): (offset: number) => number {
  switch (encoding) {
    case 'uint8': return (o) => (view.getUint8(o) - 128) / 128;
    case 'int16': return (o) => view.getInt16(o, true) / 32768;
    case 'int24': return (o) => ((view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608);
    case 'int32': return (o) => view.getInt32(o, true) / 2147483648;
    case 'float32': return (o) => sanitize(view.getFloat32(o, true));
    case 'float64': return (o) => sanitize(view.getFloat64(o, true));
  }
}

// Float files can carry NaN/Inf (corrupt or fuzzed input); they must not poison features.
function sanitize(x: number): number {
  if (Number.isFinite(x)) return x;
  return 0;
}
