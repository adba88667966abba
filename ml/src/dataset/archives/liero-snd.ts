import { ArchiveFormatError, LeReader, type ArchiveEntry, type ArchiveFormat } from './archive-format.js';

/**
 * Liero's `LIERO.SND` (lierolibre-data): a little-endian u16 count, then 16-byte
 * entries (name[8], u32 offset, u32 length) of headerless signed 8-bit mono PCM
 * at 22,050 Hz. Members are named `<NAME>.raw` so their type is plain.
 */
export const lieroSndFormat: ArchiveFormat = {
  name: 'Liero sound bank',
  suffixes: ['.snd'],
  list: listLieroSounds,
};

export const LIERO_SAMPLE_RATE_HZ = 22050;
const FORMAT = 'Liero sound bank';
const ENTRY_BYTES = 16;
const NAME_BYTES = 8;

export function listLieroSounds(bytes: Uint8Array): ArchiveEntry[] {
  const r = new LeReader(bytes, FORMAT);
  const count = r.u16(0);
  r.need(2, count * ENTRY_BYTES);
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = 2 + i * ENTRY_BYTES;
    const name = r.fixedString(at, NAME_BYTES);
    if (!/^[\x21-\x7e]+$/u.test(name)) throw new ArchiveFormatError(FORMAT, `entry ${i} has no printable name (not a Liero sound bank?)`);
    const offset = r.u32(at + NAME_BYTES);
    const length = r.u32(at + NAME_BYTES + 4);
    r.need(offset, length);
    entries.push({
      path: `${name}.raw`,
      extract: () => ({
        bytes: r.slice(offset, length),
        soxInput: ['-t', 'raw', '-e', 'signed-integer', '-b', '8', '-r', String(LIERO_SAMPLE_RATE_HZ), '-c', '1'],
      }),
    });
  }
  return entries;
}
