import { ArchiveFormatError, LeReader, soxInputFor, type ArchiveEntry, type ArchiveFormat } from './archive-format.js';

/**
 * ASC (Advanced Strategic Command) data containers, `main.ascdat` in asc-data.
 * Layout, as read from the file: "NCBM", a little-endian u32 offset of the
 * directory; the directory is a u32 count, then per member a u32 (1), the u32
 * offsets of its first and last byte (inclusive) and a NUL-terminated name.
 * Members are stored whole except a few that ASC compressed with its own
 * bzip2 framing ("MBZLB2X!"): those are listed but refuse to extract, so the
 * fetch reports them as unreadable instead of guessing.
 */
export const ascContainerFormat: ArchiveFormat = {
  name: 'ASC container',
  suffixes: ['.ascdat'],
  list: listAscEntries,
};

const MAGIC = 'NCBM';
const ASC_COMPRESSED_MAGIC = 'MBZLB2X!';
const FORMAT = 'ASC container';

export function listAscEntries(bytes: Uint8Array): ArchiveEntry[] {
  const r = new LeReader(bytes, FORMAT);
  if (bytes.byteLength < 8 || r.fixedString(0, 4) !== MAGIC) throw new ArchiveFormatError(FORMAT, 'missing "NCBM" magic');
  let at = r.u32(4);
  const count = r.u32(at);
  at += 4;
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const first = r.u32(at + 4);
    const last = r.u32(at + 8);
    at += 12;
    const end = bytes.indexOf(0, at);
    if (end < 0) throw new ArchiveFormatError(FORMAT, `name of member ${i} is not terminated`);
    const path = new TextDecoder('latin1').decode(bytes.subarray(at, end));
    at = end + 1;
    if (last + 1 < first) throw new ArchiveFormatError(FORMAT, `member ${path} ends before it starts`);
    r.need(first, last + 1 - first);
    entries.push({ path, extract: () => extractAscMember(r, path, first, last + 1 - first) });
  }
  return entries;
}

function extractAscMember(r: LeReader, path: string, start: number, length: number): { bytes: Uint8Array; soxInput: string[] } {
  const bytes = r.slice(start, length);
  if (length >= 8 && r.fixedString(start, 8) === ASC_COMPRESSED_MAGIC) {
    throw new ArchiveFormatError(FORMAT, `${path} is stored with ASC's own bzip2 framing (not supported)`);
  }
  return { bytes, soxInput: soxInputFor(path, bytes) };
}
