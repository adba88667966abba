/**
 * The clip codecs a station may upload, and what each one is called on the wire:
 * file extension (the object key ends with it), content type, and the magic bytes
 * a decoder checks before trusting the extension.
 */
export const CLIP_CODECS = ['wav', 'flac', 'opus'] as const;
export type ClipCodec = (typeof CLIP_CODECS)[number];

const EXTENSIONS: Readonly<Record<ClipCodec, string>> = { wav: '.wav', flac: '.flac', opus: '.opus' };
const CONTENT_TYPES: Readonly<Record<ClipCodec, string>> = { wav: 'audio/wav', flac: 'audio/flac', opus: 'audio/ogg' };

/** Any clip key (or file name) ending: `.wav`, `.flac` or `.opus`. */
export const CLIP_EXTENSION_PATTERN = /\.(wav|flac|opus)$/;

export function clipExtension(codec: ClipCodec): string {
  return EXTENSIONS[codec];
}

export function clipContentType(codec: ClipCodec): string {
  return CONTENT_TYPES[codec];
}

/** The codec a clip key or path names by its extension; undefined for anything else. */
export function codecOfKey(key: string): ClipCodec | undefined {
  const m = CLIP_EXTENSION_PATTERN.exec(key);
  return m ? (m[1] as ClipCodec) : undefined;
}

/**
 * The codec the bytes actually hold: `RIFF....WAVE`, `fLaC`, or an Ogg stream whose
 * first packet is `OpusHead`. Undefined for anything else (then nothing decodes it).
 */
export function sniffCodec(bytes: Uint8Array): ClipCodec | undefined {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.byteLength >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (bytes.byteLength >= 4 && ascii(0, 4) === 'fLaC') return 'flac';
  // Ogg page header is 27 bytes + one lacing byte per segment; the first packet follows.
  if (bytes.byteLength >= 36 && ascii(0, 4) === 'OggS') {
    const segments = bytes[26] ?? 0;
    const start = 27 + segments;
    if (ascii(start, start + 8) === 'OpusHead') return 'opus';
  }
  return undefined;
}
