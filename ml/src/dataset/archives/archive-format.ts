import { EcoSightError } from '#shared/errors.js';

/**
 * A sound packed inside a container file (zip/pk3, Qt .rcc, ASC .ascdat,
 * OpenClonk group, Liero .SND, SoundFont). Readers list entries from the whole
 * container held in memory; `extract()` returns what sox needs to decode one.
 */
export interface ArchiveEntry {
  /** Path inside the container, `/`-separated, no leading slash. */
  path: string;
  extract(): ExtractedAudio;
}

export interface ExtractedAudio {
  bytes: Uint8Array;
  /**
   * sox input options that describe `bytes` (they reach sox on stdin, so the
   * type must be named): e.g. `['-t', 'ogg']`, or for headerless PCM
   * `['-t', 'raw', '-e', 'signed-integer', '-b', '8', '-r', '22050', '-c', '1']`.
   */
  soxInput: string[];
}

export interface ArchiveFormat {
  /** Human name for messages. */
  name: string;
  /** Lower-case file-name endings (with the dot) this reader handles, e.g. `.pk3`. */
  suffixes: readonly string[];
  /** Lists the sounds (and other members) of a container given its bytes. */
  list(bytes: Uint8Array): ArchiveEntry[];
}

/** A container is damaged, truncated or of an unsupported variant. */
export class ArchiveFormatError extends EcoSightError {
  constructor(format: string, message: string) {
    super('ARCHIVE_FORMAT_INVALID', `${format}: ${message}`);
  }
}

const MAGIC_TYPES: ReadonlyArray<[string, string]> = [['OggS', 'ogg'], ['RIFF', 'wav'], ['fLaC', 'flac'], ['FORM', 'aiff']];

/**
 * sox options for a member: its type from its first bytes when they are a known
 * magic (names lie: openclonk ships an Ogg named `Fanfare.wav`), else from its
 * file name (`.ogg`, `.wav`, `.oga`...).
 */
export function soxInputFor(path: string, bytes: Uint8Array): string[] {
  const head = latin1(bytes.subarray(0, 4));
  const sniffed = MAGIC_TYPES.find(([magic]) => magic === head);
  return sniffed ? ['-t', sniffed[1]] : soxInputForName(path);
}

/** sox options for a member whose type its file name tells (`.ogg`, `.wav`, `.oga`...). */
export function soxInputForName(path: string): string[] {
  const dot = path.lastIndexOf('.');
  const ext = dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
  return ['-t', ext === 'oga' ? 'ogg' : ext];
}

/** Bounds-checked little-endian reads that name the format in their errors. */
export class LeReader {
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array, private readonly format: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(at: number): number {
    this.need(at, 2);
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    this.need(at, 4);
    return this.view.getUint32(at, true);
  }

  i32(at: number): number {
    this.need(at, 4);
    return this.view.getInt32(at, true);
  }

  /** `length` bytes at `at`, a view (no copy). */
  slice(at: number, length: number): Uint8Array {
    this.need(at, length);
    return this.bytes.subarray(at, at + length);
  }

  /** A NUL-terminated (or field-filling) Latin-1 string in a fixed-size field. */
  fixedString(at: number, fieldBytes: number): string {
    const field = this.slice(at, fieldBytes);
    const end = field.indexOf(0);
    return latin1(end < 0 ? field : field.subarray(0, end));
  }

  need(at: number, length: number): void {
    if (at < 0 || length < 0 || at + length > this.bytes.byteLength) {
      throw new ArchiveFormatError(this.format, `${length} bytes at offset ${at} run past the end (${this.bytes.byteLength} bytes)`);
    }
  }
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
