import { ArchiveFormatError, LeReader, type ArchiveEntry, type ArchiveFormat } from './archive-format.js';

/**
 * SoundFont 2 banks (`.sf2`: fluid-soundfont-gm/-gs, timgm6mb-soundfont). The
 * RIFF "sfbk" form holds the 16-bit sample pool (LIST sdta / smpl) and the
 * sample headers (LIST pdta / shdr: 46-byte records of name[20], start, end,
 * loop start, loop end, sample rate, pitch, correction, link, type; the last is
 * the "EOS" terminator). Each sample becomes a member `<name>.raw` (a `/` in a
 * name becomes `_`; a repeated name gets `~2`, `~3`...) of headerless 16-bit
 * little-endian mono PCM at its own rate. ROM samples have no data and are left out.
 */
export const soundFontFormat: ArchiveFormat = {
  name: 'SoundFont',
  suffixes: ['.sf2'],
  list: listSoundFontSamples,
};

const FORMAT = 'SoundFont';
const SHDR_BYTES = 46;
const ROM_SAMPLE = 0x8000;

export function listSoundFontSamples(bytes: Uint8Array): ArchiveEntry[] {
  const r = new LeReader(bytes, FORMAT);
  if (bytes.byteLength < 12 || r.fixedString(0, 4) !== 'RIFF' || r.fixedString(8, 4) !== 'sfbk') {
    throw new ArchiveFormatError(FORMAT, 'not a RIFF sfbk file');
  }
  const chunks = subChunks(r, 12, Math.min(bytes.byteLength, 8 + r.u32(4)));
  const smpl = chunks.get('sdta/smpl');
  const shdr = chunks.get('pdta/shdr');
  if (!smpl || !shdr) throw new ArchiveFormatError(FORMAT, 'missing the smpl or shdr chunk');
  const seen = new Map<string, number>();
  const entries: ArchiveEntry[] = [];
  const records = Math.floor(shdr.length / SHDR_BYTES) - 1; // the last record is "EOS"
  for (let i = 0; i < records; i += 1) {
    const at = shdr.start + i * SHDR_BYTES;
    const name = r.fixedString(at, 20).trim().replace(/\//gu, '_') || `sample${i}`;
    const startSample = r.u32(at + 20);
    const endSample = r.u32(at + 24);
    const rateHz = r.u32(at + 36);
    const type = r.u16(at + 44);
    if (type & ROM_SAMPLE || endSample <= startSample || rateHz === 0) continue;
    const start = smpl.start + 2 * startSample;
    const length = 2 * (endSample - startSample);
    if (start + length > smpl.start + smpl.length) throw new ArchiveFormatError(FORMAT, `sample ${name} runs past the sample pool`);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    entries.push({
      path: n === 1 ? `${name}.raw` : `${name}~${n}.raw`,
      extract: () => ({
        bytes: r.slice(start, length),
        soxInput: ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-r', String(rateHz), '-c', '1'],
      }),
    });
  }
  return entries;
}

/** Chunks of the sfbk form keyed `<list type>/<chunk id>` (e.g. `pdta/shdr`). */
function subChunks(r: LeReader, from: number, to: number): Map<string, { start: number; length: number }> {
  const out = new Map<string, { start: number; length: number }>();
  for (let at = from; at + 8 <= to;) {
    const id = r.fixedString(at, 4);
    const size = r.u32(at + 4);
    if (id === 'LIST') {
      const listType = r.fixedString(at + 8, 4);
      for (let c = at + 12; c + 8 <= at + 8 + size;) {
        const cid = r.fixedString(c, 4);
        const csize = r.u32(c + 4);
        r.need(c + 8, csize);
        out.set(`${listType}/${cid}`, { start: c + 8, length: csize });
        c += 8 + csize + (csize & 1);
      }
    }
    at += 8 + size + (size & 1);
  }
  return out;
}
