import { gzipSync } from 'node:zlib';
import { unscramble } from '#ml/dataset/archives/c4group.js';

/**
 * Writers for small synthetic game containers, so the readers in
 * ml/src/dataset/archives are tested on files built from the layout they
 * document rather than on bytes copied from the real packages. Test support only.
 */
export interface NamedBytes {
  path: string;
  bytes: Uint8Array;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function le16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return b;
}

function fixed(s: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out.set(text(s).subarray(0, bytes));
  return out;
}

/** ASC `.ascdat`: "NCBM", directory offset, members, then the directory. */
export function writeAscContainer(members: readonly NamedBytes[]): Uint8Array {
  const parts: Uint8Array[] = [text('NCBM'), le32(0)];
  let at = 8;
  const dir: Uint8Array[] = [le32(members.length)];
  for (const m of members) {
    parts.push(m.bytes);
    dir.push(le32(1), le32(at), le32(at + m.bytes.byteLength - 1), text(m.path), new Uint8Array([0]));
    at += m.bytes.byteLength;
  }
  const out = concat([...parts, ...dir]);
  new DataView(out.buffer).setUint32(4, at, true);
  return out;
}

/** A member of an OpenClonk group: bytes, or a child group. */
export type C4Member = NamedBytes | { path: string; children: C4Member[] };

/** OpenClonk group file (`.ocg`): gzip with magic 1e 8c around a scrambled header, entries and data. */
export function writeC4Group(members: readonly C4Member[]): Uint8Array {
  const gz = Uint8Array.from(gzipSync(c4GroupBody(members)));
  gz[0] = 0x1e;
  gz[1] = 0x8c;
  return gz;
}

function c4GroupBody(members: readonly C4Member[]): Uint8Array {
  const header = new Uint8Array(204);
  header.set(text('RedWolf Design GrpFolder'));
  const hv = new DataView(header.buffer);
  hv.setInt32(28, 1, true);
  hv.setInt32(32, 2, true);
  hv.setInt32(36, members.length, true);
  const datas = members.map((m) => ('children' in m ? c4GroupBody(m.children) : m.bytes));
  const entries: Uint8Array[] = [];
  let offset = 0;
  members.forEach((m, i) => {
    const e = new Uint8Array(316);
    e.set(fixed(m.path, 259));
    const ev = new DataView(e.buffer);
    ev.setInt32(264, 'children' in m ? 1 : 0, true);
    ev.setInt32(268, datas[i].byteLength, true);
    ev.setInt32(276, offset, true);
    offset += datas[i].byteLength;
    entries.push(e);
  });
  return concat([unscramble(header), ...entries, ...datas]);
}

/** Liero `LIERO.SND`: u16 count, 16-byte entries (name[8], offset, length), signed 8-bit PCM. */
export function writeLieroSnd(sounds: ReadonlyArray<{ name: string; samples: Int8Array }>): Uint8Array {
  const dir: Uint8Array[] = [le16(sounds.length)];
  let at = 2 + 16 * sounds.length;
  for (const s of sounds) {
    dir.push(fixed(s.name, 8), le32(at), le32(s.samples.byteLength));
    at += s.samples.byteLength;
  }
  return concat([...dir, ...sounds.map((s) => new Uint8Array(s.samples.buffer, s.samples.byteOffset, s.samples.byteLength))]);
}

/** SoundFont 2 with an smpl pool and shdr records (no presets: the reader does not need them). */
export function writeSoundFont(samples: ReadonlyArray<{ name: string; rateHz: number; pcm: Int16Array; type?: number }>): Uint8Array {
  const pool: Uint8Array[] = [];
  const shdr: Uint8Array[] = [];
  let start = 0;
  for (const s of samples) {
    pool.push(new Uint8Array(s.pcm.buffer, s.pcm.byteOffset, s.pcm.byteLength), new Uint8Array(92)); // 46 zero samples after each, as the spec asks
    shdr.push(shdrRecord(s.name, start, start + s.pcm.length, s.rateHz, s.type ?? 1));
    start += s.pcm.length + 46;
  }
  shdr.push(shdrRecord('EOS', 0, 0, 0, 0));
  const smpl = chunk('smpl', concat(pool));
  const sdta = chunk('LIST', concat([text('sdta'), smpl]));
  const pdta = chunk('LIST', concat([text('pdta'), chunk('shdr', concat(shdr))]));
  const info = chunk('LIST', concat([text('INFO'), chunk('ifil', concat([le16(2), le16(1)]))]));
  return chunk('RIFF', concat([text('sfbk'), info, sdta, pdta]));
}

function shdrRecord(name: string, start: number, end: number, rateHz: number, type: number): Uint8Array {
  const r = new Uint8Array(46);
  r.set(fixed(name, 20));
  const v = new DataView(r.buffer);
  v.setUint32(20, start, true);
  v.setUint32(24, end, true);
  v.setUint32(36, rateHz, true);
  v.setUint8(40, 60);
  v.setUint16(44, type, true);
  return r;
}

function chunk(id: string, body: Uint8Array): Uint8Array {
  return concat([text(id), le32(body.byteLength), body, new Uint8Array(body.byteLength & 1)]);
}

/** Seven Kingdoms `.RES`: u16 count, count + 1 entries (name[9], u32 offset), then the members. */
export function writeSevenKaaRes(members: readonly NamedBytes[]): Uint8Array {
  const dir: Uint8Array[] = [le16(members.length)];
  let at = 2 + 13 * (members.length + 1);
  for (const m of members) {
    dir.push(fixed(m.path, 9), le32(at));
    at += m.bytes.byteLength;
  }
  dir.push(new Uint8Array(9), le32(at));
  return concat([...dir, ...members.map((m) => m.bytes)]);
}
