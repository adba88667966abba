import { ArchiveFormatError, LeReader, soxInputFor, type ArchiveEntry, type ArchiveFormat } from './archive-format.js';

/**
 * Seven Kingdoms resource files (`.RES`, 7kaa-data `RESOURCE/A_WAVE*.RES`): a
 * little-endian u16 count, then count + 1 entries of name[9] and a u32 offset;
 * a member runs from its offset to the next entry's (the extra last entry marks
 * the end). The sound banks hold whole RIFF WAV files; members are named
 * `<NAME>.wav` (their type still comes from their bytes).
 */
export const sevenKaaResFormat: ArchiveFormat = {
  name: 'Seven Kingdoms resource',
  suffixes: ['.res'],
  list: listSevenKaaResources,
};

const FORMAT = 'Seven Kingdoms resource';
const ENTRY_BYTES = 13;
const NAME_BYTES = 9;

export function listSevenKaaResources(bytes: Uint8Array): ArchiveEntry[] {
  const r = new LeReader(bytes, FORMAT);
  const count = r.u16(0);
  r.need(2, (count + 1) * ENTRY_BYTES);
  const offsetOf = (i: number): number => r.u32(2 + i * ENTRY_BYTES + NAME_BYTES);
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = r.fixedString(2 + i * ENTRY_BYTES, NAME_BYTES);
    const start = offsetOf(i);
    const end = offsetOf(i + 1);
    if (!/^[\x21-\x7e]+$/u.test(name) || end < start) throw new ArchiveFormatError(FORMAT, `entry ${i} is damaged (not a resource file?)`);
    r.need(start, end - start);
    const path = `${name}.wav`;
    entries.push({
      path,
      extract: () => {
        const member = r.slice(start, end - start);
        return { bytes: member, soxInput: soxInputFor(path, member) };
      },
    });
  }
  return entries;
}
