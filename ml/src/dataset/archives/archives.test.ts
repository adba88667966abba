import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAscContainer, writeC4Group, writeLieroSnd, writeSevenKaaRes, writeSoundFont } from '#testkit/dataset-archives.js';
import { convertToWav } from '../fetch/convert-wav.js';
import { runCommand } from '../fetch/run-command.js';
import { ArchiveFormatError, type ArchiveEntry } from './archive-format.js';
import { listAscEntries } from './asc-container.js';
import { listC4GroupEntries, unpackC4Group, c4groupFormat } from './c4group.js';
import { archiveFormatFor, archiveSeparatorIndex } from './formats.js';
import { listLieroSounds } from './liero-snd.js';
import { listSevenKaaResources } from './sevenkaa-res.js';
import { listSoundFontSamples } from './soundfont.js';
import { listZipEntries } from './zip.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const asText = (b: Uint8Array): string => new TextDecoder().decode(b);
const byPath = (entries: ArchiveEntry[]): Map<string, ArchiveEntry> => new Map(entries.map((e) => [e.path, e]));

describe('zip / pk3 reader', () => {
  it('lists stored and deflated members built by the zip tool, skips directories, returns exact bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecosight-zip-'));
    try {
      await mkdir(join(dir, 'sound', 'weapons'), { recursive: true });
      await writeFile(join(dir, 'sound', 'weapons', 'shot.ogg'), 'OggS shot '.repeat(200));
      await writeFile(join(dir, 'sound', 'click.wav'), 'RIFF click');
      await runCommand('zip', ['-q', '-r', '-9', 'data.pk3', 'sound/weapons'], { cwd: dir });
      await runCommand('zip', ['-q', '-0', 'data.pk3', 'sound/click.wav'], { cwd: dir });
      const entries = byPath(listZipEntries(new Uint8Array(await readFile(join(dir, 'data.pk3')))));
      expect([...entries.keys()].sort()).toEqual(['sound/click.wav', 'sound/weapons/shot.ogg']);
      const shot = entries.get('sound/weapons/shot.ogg')!.extract();
      expect(asText(shot.bytes)).toBe('OggS shot '.repeat(200));
      expect(shot.soxInput).toEqual(['-t', 'ogg']);
      expect(asText(entries.get('sound/click.wav')!.extract().bytes)).toBe('RIFF click');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file without a central directory', () => {
    expect(() => listZipEntries(bytes('not a zip at all, just some text here'))).toThrow(ArchiveFormatError);
  });
});

describe('ASC container reader', () => {
  const file = writeAscContainer([
    { path: 'title.jpg', bytes: bytes('JFIF') },
    { path: 'gun_s.ogg', bytes: bytes('OggS gun') },
    { path: 'train.wav', bytes: bytes('MBZLB2X!\0compressed') },
  ]);

  it('lists members in directory order and returns their bytes', () => {
    const entries = listAscEntries(file);
    expect(entries.map((e) => e.path)).toEqual(['title.jpg', 'gun_s.ogg', 'train.wav']);
    expect(asText(entries[1].extract().bytes)).toBe('OggS gun');
  });

  it("refuses to extract members in ASC's own bzip2 framing, and files without the magic", () => {
    expect(() => listAscEntries(file)[2].extract()).toThrow(/bzip2/u);
    expect(() => listAscEntries(bytes('RIFF1234WAVE'))).toThrow(/NCBM/u);
  });

  it('reports a directory that points past the end', () => {
    const cut = Uint8Array.from(file);
    new DataView(cut.buffer).setUint32(4, file.byteLength + 10, true);
    expect(() => listAscEntries(cut)).toThrow(/past the end/u);
  });
});

describe('OpenClonk group reader', () => {
  const file = writeC4Group([
    { path: 'authors.txt', bytes: bytes('someone') },
    { path: 'Fire.ocg', children: [{ path: 'Blast1.wav', bytes: bytes('RIFF blast') }, { path: 'Fanfare.wav', bytes: bytes('OggS named .wav') }] },
    {
      path: 'Objects.ocg',
      children: [{ path: 'Weapons.ocg', children: [{ path: 'GunShoot1.ogg', bytes: bytes('OggS gun') }] }, { path: 'Clonk.ogg', bytes: bytes('OggS c') }],
    },
  ]);

  it('unpacks the modified gzip, unscrambles headers and walks nested groups', () => {
    const entries = byPath(c4groupFormat.list(file));
    expect([...entries.keys()]).toEqual([
      'authors.txt', 'Fire.ocg/Blast1.wav', 'Fire.ocg/Fanfare.wav', 'Objects.ocg/Weapons.ocg/GunShoot1.ogg', 'Objects.ocg/Clonk.ogg',
    ]);
    expect(asText(entries.get('Objects.ocg/Weapons.ocg/GunShoot1.ogg')!.extract().bytes)).toBe('OggS gun');
    expect(entries.get('Fire.ocg/Blast1.wav')!.extract().soxInput).toEqual(['-t', 'wav']);
    expect(entries.get('Fire.ocg/Fanfare.wav')!.extract().soxInput).toEqual(['-t', 'ogg']); // names lie: the bytes decide
  });

  it('refuses plain gzip and a header that does not unscramble to the group id', () => {
    const plain = Uint8Array.from(file);
    plain[0] = 0x1f;
    plain[1] = 0x8b;
    expect(() => unpackC4Group(plain)).toThrow(/magic/u);
    const inner = unpackC4Group(file);
    inner[3] ^= 0xff;
    expect(() => listC4GroupEntries(inner)).toThrow(/no group header/u);
  });
});

describe('Liero sound bank reader', () => {
  it('lists named signed 8-bit sounds at 22,050 Hz', () => {
    const file = writeLieroSnd([
      { name: 'SHOTGUN', samples: Int8Array.from([0, 100, -100, 50]) },
      { name: 'EXP2', samples: Int8Array.from([1, 2]) },
    ]);
    const entries = listLieroSounds(file);
    expect(entries.map((e) => e.path)).toEqual(['SHOTGUN.raw', 'EXP2.raw']);
    const shot = entries[0].extract();
    expect([...new Int8Array(shot.bytes.buffer, shot.bytes.byteOffset, shot.bytes.byteLength)]).toEqual([0, 100, -100, 50]);
    expect(shot.soxInput).toEqual(['-t', 'raw', '-e', 'signed-integer', '-b', '8', '-r', '22050', '-c', '1']);
  });

  it('refuses entries that run past the end or have no printable name', () => {
    const file = writeLieroSnd([{ name: 'SHOT', samples: Int8Array.from([1, 2, 3]) }]);
    expect(() => listLieroSounds(file.subarray(0, file.byteLength - 1))).toThrow(/past the end/u);
    expect(() => listLieroSounds(Uint8Array.from([1, 0, ...new Uint8Array(16)]))).toThrow(/printable/u);
  });
});

describe('SoundFont reader', () => {
  const pcm = (n: number, v: number): Int16Array => Int16Array.from({ length: n }, (_, i) => (i % 2 ? v : -v));

  it('turns each sample header into a 16-bit mono member at its own rate, renaming repeats and skipping ROM samples', () => {
    const file = writeSoundFont([
      { name: 'Gun', rateHz: 44100, pcm: pcm(10, 1000) },
      { name: 'Thunder(L)', rateHz: 22050, pcm: pcm(6, 5) },
      { name: 'Gun', rateHz: 32000, pcm: pcm(4, 7) },
      { name: 'ROM piano', rateHz: 44100, pcm: pcm(4, 1), type: 0x8001 },
    ]);
    const entries = listSoundFontSamples(file);
    expect(entries.map((e) => e.path)).toEqual(['Gun.raw', 'Thunder(L).raw', 'Gun~2.raw']);
    const gun2 = entries[2].extract();
    expect([...new Int16Array(gun2.bytes.slice().buffer)]).toEqual([-7, 7, -7, 7]);
    expect(gun2.soxInput).toContain('32000');
  });

  it('refuses files that are not sfbk', () => {
    expect(() => listSoundFontSamples(bytes('RIFF\x04\x00\x00\x00WAVE'))).toThrow(/sfbk/u);
  });
});

describe('Seven Kingdoms resource reader', () => {
  it('lists members up to the end marker and returns their bytes', () => {
    const file = writeSevenKaaRes([{ path: 'CANNON', bytes: bytes('RIFF cannon') }, { path: 'BIRDS01', bytes: bytes('RIFF birds!') }]);
    const entries = listSevenKaaResources(file);
    expect(entries.map((e) => e.path)).toEqual(['CANNON.wav', 'BIRDS01.wav']);
    expect(asText(entries[1].extract().bytes)).toBe('RIFF birds!');
    expect(() => listSevenKaaResources(file.subarray(0, file.byteLength - 2))).toThrow(/past the end/u);
  });
});

describe('container members through sox (as data:fetch converts them)', () => {
  it('decodes Liero 8-bit and SoundFont 16-bit raw members at their own rates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecosight-raw-'));
    try {
      const liero = listLieroSounds(writeLieroSnd([{ name: 'RIFLE', samples: Int8Array.from({ length: 22050 }, (_, i) => (i % 20 < 10 ? 90 : -90)) }]));
      const sf2 = listSoundFontSamples(writeSoundFont([{ name: 'Gun', rateHz: 32000, pcm: Int16Array.from({ length: 8000 }, (_, i) => (i % 2 ? 9000 : -9000)) }]));
      const out = await Promise.all([liero[0], sf2[0]].map(async (entry, i) => {
        const result = await convertToWav({ kind: 'archive-member', archivePath: join(dir, 'bank'), entry }, join(dir, `${i}.wav`), 0);
        return [result.status, Number(result.durationSec?.toFixed(3))];
      }));
      expect(out).toEqual([['converted', 1], ['converted', 0.25]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('container registry', () => {
  it('chooses the reader by the ending and splits archive!member only after a known container', () => {
    expect(archiveFormatFor('usr/share/games/lierolibre/LIERO.SND')?.name).toBe('Liero sound bank');
    expect(archiveFormatFor('a/data.PK3')?.name).toBe('zip');
    expect(archiveFormatFor('a/b.ogg')).toBeUndefined();
    expect(archiveSeparatorIndex('a/Sound.ocg!Fire.ocg/Blast1.wav')).toBe('a/Sound.ocg'.length);
    expect(archiveSeparatorIndex('usr/lmms/bass!.ogg')).toBe(-1);
  });
});
