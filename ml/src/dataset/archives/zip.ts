import { inflateRawSync } from 'node:zlib';
import { ArchiveFormatError, LeReader, soxInputFor, type ArchiveEntry, type ArchiveFormat } from './archive-format.js';

/**
 * Zip archives (Quake-style `.pk3`: ufoai-sound's `0snd.pk3`, nexuiz-data's
 * `data.pk3`). Reads the central directory at the end, then each member's
 * local header; stored and deflated members are supported (the only methods
 * these games use), encrypted ones are refused.
 */
export const zipFormat: ArchiveFormat = {
  name: 'zip',
  suffixes: ['.pk3', '.zip'],
  list: listZipEntries,
};

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x1;

export function listZipEntries(bytes: Uint8Array): ArchiveEntry[] {
  const r = new LeReader(bytes, 'zip');
  const eocd = findEndOfCentralDirectory(r);
  const count = r.u16(eocd + 10);
  let at = r.u32(eocd + 16);
  const entries: ArchiveEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    if (r.u32(at) !== CENTRAL_SIGNATURE) throw new ArchiveFormatError('zip', `central directory entry ${i} is damaged`);
    const flags = r.u16(at + 8);
    const method = r.u16(at + 10);
    const compressedBytes = r.u32(at + 20);
    const nameBytes = r.u16(at + 28);
    const next = at + 46 + nameBytes + r.u16(at + 30) + r.u16(at + 32);
    const path = new TextDecoder().decode(r.slice(at + 46, nameBytes));
    const localOffset = r.u32(at + 42);
    at = next;
    if (path.endsWith('/')) continue; // directory entry
    entries.push({ path, extract: () => extractZipMember(r, { path, flags, method, compressedBytes, localOffset }) });
  }
  return entries;
}

interface ZipMember {
  path: string;
  flags: number;
  method: number;
  compressedBytes: number;
  localOffset: number;
}

function extractZipMember(r: LeReader, m: ZipMember): { bytes: Uint8Array; soxInput: string[] } {
  if (m.flags & FLAG_ENCRYPTED) throw new ArchiveFormatError('zip', `${m.path} is encrypted`);
  if (r.u32(m.localOffset) !== LOCAL_SIGNATURE) throw new ArchiveFormatError('zip', `local header of ${m.path} is damaged`);
  // The local header's name and extra lengths may differ from the central directory's.
  const start = m.localOffset + 30 + r.u16(m.localOffset + 26) + r.u16(m.localOffset + 28);
  const raw = r.slice(start, m.compressedBytes);
  let bytes: Uint8Array;
  if (m.method === METHOD_STORED) bytes = raw;
  else if (m.method === METHOD_DEFLATE) bytes = new Uint8Array(inflateRawSync(raw));
  else throw new ArchiveFormatError('zip', `${m.path} uses compression method ${m.method} (only stored and deflate are supported)`);
  return { bytes, soxInput: soxInputFor(m.path, bytes) };
}

function findEndOfCentralDirectory(r: LeReader): number {
  const size = r.bytes.byteLength;
  const lowest = Math.max(0, size - EOCD_BYTES - MAX_COMMENT_BYTES);
  for (let at = size - EOCD_BYTES; at >= lowest; at -= 1) {
    if (r.view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  throw new ArchiveFormatError('zip', 'no end-of-central-directory record (not a zip file?)');
}
