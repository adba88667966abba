import { gunzipSync } from 'node:zlib';
import { ArchiveFormatError, LeReader, soxInputFor, type ArchiveEntry, type ArchiveFormat } from './archive-format.js';

/**
 * OpenClonk group files (`.ocg`, `.ocd`, `.ocf`): a gzip stream whose first two
 * bytes are changed (0x1e 0x8c instead of 0x1f 0x8b). Inside, a 204-byte header
 * "scrambled" (each byte XOR 237, then bytes 0 and 2 of every 3-byte group
 * swapped) that starts "RedWolf Design GrpFolder" and holds the entry count at
 * byte 36; then 316-byte entries (name[260], packed, child-group flag, size,
 * reserved, offset: little-endian int32 from byte 260), then the data, offsets
 * counted from the end of the entry table. Child groups nest the same layout
 * (without the gzip layer); their members are listed as `Child.ocg/name`.
 */
export const c4groupFormat: ArchiveFormat = {
  name: 'OpenClonk group',
  suffixes: ['.ocg', '.ocd', '.ocf'],
  list: (bytes) => listC4GroupEntries(unpackC4Group(bytes)),
};

const FORMAT = 'OpenClonk group';
const HEADER_BYTES = 204;
const ENTRY_BYTES = 316;
const NAME_BYTES = 260;
const GROUP_ID = 'RedWolf Design GrpFolder';
const SCRAMBLE_XOR = 237;
const MAX_DEPTH = 32;

/** The group's inner bytes: the real gzip magic restored, then inflated. */
export function unpackC4Group(file: Uint8Array): Uint8Array {
  if (file.byteLength < 2 || file[0] !== 0x1e || file[1] !== 0x8c) throw new ArchiveFormatError(FORMAT, 'missing the 1e 8c magic');
  const gz = Uint8Array.from(file);
  gz[0] = 0x1f;
  gz[1] = 0x8b;
  try {
    return new Uint8Array(gunzipSync(gz));
  } catch (err) {
    throw new ArchiveFormatError(FORMAT, `cannot inflate: ${(err as Error).message}`);
  }
}

/** Lists every non-group member, depth first, with child groups as path segments. */
export function listC4GroupEntries(inner: Uint8Array): ArchiveEntry[] {
  const r = new LeReader(inner, FORMAT);
  const out: ArchiveEntry[] = [];
  walkGroup(r, 0, '', 0, out);
  return out;
}

function walkGroup(r: LeReader, base: number, prefix: string, depth: number, out: ArchiveEntry[]): void {
  if (depth > MAX_DEPTH) throw new ArchiveFormatError(FORMAT, 'groups nested too deeply (corrupt file?)');
  const header = unscramble(r.slice(base, HEADER_BYTES));
  const hr = new LeReader(header, FORMAT);
  if (hr.fixedString(0, GROUP_ID.length) !== GROUP_ID) throw new ArchiveFormatError(FORMAT, `no group header at ${base}${prefix ? ` (${prefix})` : ''}`);
  const count = hr.i32(36);
  if (count < 0) throw new ArchiveFormatError(FORMAT, `negative entry count at ${base}`);
  const dataStart = base + HEADER_BYTES + count * ENTRY_BYTES;
  for (let i = 0; i < count; i += 1) {
    const at = base + HEADER_BYTES + i * ENTRY_BYTES;
    const name = r.fixedString(at, NAME_BYTES);
    const isChildGroup = r.i32(at + NAME_BYTES + 4) !== 0;
    const size = r.i32(at + NAME_BYTES + 8);
    const start = dataStart + r.i32(at + NAME_BYTES + 16);
    const path = `${prefix}${name}`;
    if (isChildGroup) {
      walkGroup(r, start, `${path}/`, depth + 1, out);
    } else {
      r.need(start, size);
      out.push({
        path,
        extract: () => {
          const bytes = r.slice(start, size);
          return { bytes, soxInput: soxInputFor(path, bytes) };
        },
      });
    }
  }
}

/** Undoes C4Group's header scrambling (its own inverse). */
export function unscramble(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes, (b) => b ^ SCRAMBLE_XOR);
  for (let i = 0; i + 2 < out.length; i += 3) {
    const t = out[i];
    out[i] = out[i + 2];
    out[i + 2] = t;
  }
  return out;
}
