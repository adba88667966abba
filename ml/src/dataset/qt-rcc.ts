import { inflateSync } from 'node:zlib';

/**
 * Reader for Qt binary resource files (`.rcc`, as written by `rcc -binary`).
 * gcompris-qt ships its sounds inside them; this lists and extracts members so
 * no Qt tooling is needed. Layout (Qt's rcc.cpp): a "qres" header with offsets of
 * a tree of fixed-size nodes, a names table (UTF-16BE) and a data block.
 */
export interface RccMember {
  /** Path inside the archive, without a leading slash (e.g. `gcompris/src/.../dog.ogg`). */
  path: string;
  compression: 'none' | 'zlib' | 'zstd';
  /** Offset of the 4-byte length that precedes the member's bytes. */
  dataOffset: number;
}

const FLAG_COMPRESSED = 0x01;
const FLAG_DIRECTORY = 0x02;
const FLAG_COMPRESSED_ZSTD = 0x04;
const MAX_DEPTH = 64;

export class RccFormatError extends Error {}

export function listRccMembers(bytes: Uint8Array): RccMember[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 20 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'qres') {
    throw new RccFormatError('not a Qt resource file (missing "qres" magic)');
  }
  const version = view.getUint32(4);
  if (version < 1 || version > 3) throw new RccFormatError(`unsupported rcc format version ${version}`);
  const layout = {
    view,
    tree: view.getUint32(8),
    data: view.getUint32(12),
    names: view.getUint32(16),
    nodeBytes: version >= 2 ? 22 : 14,
  };
  const members: RccMember[] = [];
  walk(layout, 0, '', 0, members);
  return members;
}

/** The member's (decompressed) bytes. zstd members are reported as unsupported. */
export function readRccMember(bytes: Uint8Array, member: RccMember): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = checkedUint32(view, member.dataOffset);
  const start = member.dataOffset + 4;
  if (start + length > bytes.byteLength) throw new RccFormatError(`member ${member.path} runs past the end of the file`);
  const raw = bytes.subarray(start, start + length);
  if (member.compression === 'none') return raw;
  if (member.compression === 'zstd') throw new RccFormatError(`member ${member.path} is zstd-compressed (not supported)`);
  // qCompress format: 4-byte big-endian uncompressed size, then a zlib stream.
  return new Uint8Array(inflateSync(raw.subarray(4)));
}

interface Layout {
  view: DataView;
  tree: number;
  data: number;
  names: number;
  nodeBytes: number;
}

function walk(layout: Layout, index: number, prefix: string, depth: number, out: RccMember[]): void {
  if (depth > MAX_DEPTH) throw new RccFormatError('resource tree nested too deeply (corrupt file?)');
  const { view } = layout;
  const node = layout.tree + index * layout.nodeBytes;
  const flags = checkedUint16(view, node + 4);
  const name = index === 0 ? '' : readName(layout, checkedUint32(view, node));
  const path = prefix === '' ? name : `${prefix}/${name}`;
  if (flags & FLAG_DIRECTORY) {
    const count = checkedUint32(view, node + 6);
    const first = checkedUint32(view, node + 10);
    for (let child = 0; child < count; child += 1) walk(layout, first + child, path, depth + 1, out);
    return;
  }
  const compression = flags & FLAG_COMPRESSED_ZSTD ? 'zstd' : flags & FLAG_COMPRESSED ? 'zlib' : 'none';
  out.push({ path, compression, dataOffset: layout.data + checkedUint32(view, node + 10) });
}

function readName(layout: Layout, offset: number): string {
  const at = layout.names + offset;
  const chars = checkedUint16(layout.view, at);
  let name = '';
  for (let i = 0; i < chars; i += 1) name += String.fromCharCode(checkedUint16(layout.view, at + 6 + 2 * i));
  return name;
}

function checkedUint32(view: DataView, at: number): number {
  if (at + 4 > view.byteLength) throw new RccFormatError(`offset ${at} is past the end of the file`);
  return view.getUint32(at);
}

function checkedUint16(view: DataView, at: number): number {
  if (at + 2 > view.byteLength) throw new RccFormatError(`offset ${at} is past the end of the file`);
  return view.getUint16(at);
}
