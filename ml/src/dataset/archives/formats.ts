import { listRccMembers, readRccMember } from '../qt-rcc.js';
import { soxInputFor, type ArchiveFormat } from './archive-format.js';
import { ascContainerFormat } from './asc-container.js';
import { c4groupFormat } from './c4group.js';
import { lieroSndFormat } from './liero-snd.js';
import { sevenKaaResFormat } from './sevenkaa-res.js';
import { soundFontFormat } from './soundfont.js';
import { zipFormat } from './zip.js';

const qtRccFormat: ArchiveFormat = {
  name: 'Qt resource',
  suffixes: ['.rcc'],
  list: (bytes) => listRccMembers(bytes).map((m) => ({
    path: m.path,
    extract: () => {
      const member = readRccMember(bytes, m);
      return { bytes: member, soxInput: soxInputFor(m.path, member) };
    },
  })),
};

/** Every container the source lists can reach into with `archive!member-glob`. */
export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = [
  qtRccFormat, zipFormat, ascContainerFormat, c4groupFormat, lieroSndFormat, soundFontFormat, sevenKaaResFormat,
];

/** The reader for a container path, chosen by its ending (case-insensitive). */
export function archiveFormatFor(path: string): ArchiveFormat | undefined {
  const lower = path.toLowerCase();
  return ARCHIVE_FORMATS.find((f) => f.suffixes.some((s) => lower.endsWith(s)));
}

/**
 * Where `archive!member` splits: the first `!` right after a known container
 * ending. A `!` elsewhere is an ordinary file-name character (lmms ships `bass!.ogg`).
 */
export function archiveSeparatorIndex(pattern: string): number {
  const lower = pattern.toLowerCase();
  let best = -1;
  for (const f of ARCHIVE_FORMATS) {
    for (const s of f.suffixes) {
      const at = lower.indexOf(`${s}!`);
      if (at >= 0 && (best < 0 || at + s.length < best)) best = at + s.length;
    }
  }
  return best;
}
