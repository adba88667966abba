import { describe, expect, it } from 'vitest';
import { listRccMembers, readRccMember, RccFormatError } from './qt-rcc.js';
import { writeRcc } from './qt-rcc-writer.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('Qt .rcc reader', () => {
  const archive = writeRcc([
    { path: 'gcompris/src/activities/farm/dog.ogg', bytes: bytes('OggS dog') },
    { path: 'gcompris/src/activities/farm/owl.ogg', bytes: bytes('OggS owl '.repeat(50)), compress: true },
    { path: 'gcompris/src/core/click.wav', bytes: bytes('RIFF click') },
    { path: 'top.txt', bytes: bytes('top') },
  ]);

  it('lists every member with its full path and compression', () => {
    const members = listRccMembers(archive);
    expect(members.map((m) => [m.path, m.compression]).sort()).toEqual([
      ['gcompris/src/activities/farm/dog.ogg', 'none'],
      ['gcompris/src/activities/farm/owl.ogg', 'zlib'],
      ['gcompris/src/core/click.wav', 'none'],
      ['top.txt', 'none'],
    ]);
  });

  it('returns stored and zlib-compressed members byte for byte', () => {
    const members = new Map(listRccMembers(archive).map((m) => [m.path, m]));
    const text = (path: string): string => new TextDecoder().decode(readRccMember(archive, members.get(path)!));
    expect(text('gcompris/src/activities/farm/dog.ogg')).toBe('OggS dog');
    expect(text('gcompris/src/activities/farm/owl.ogg')).toBe('OggS owl '.repeat(50));
    expect(text('gcompris/src/core/click.wav')).toBe('RIFF click');
  });

  it('rejects files that are not resource archives or are cut short', () => {
    expect(() => listRccMembers(bytes('RIFF....WAVEfmt '))).toThrow(RccFormatError);
    expect(() => listRccMembers(archive.subarray(0, 40))).toThrow(/past the end/u);
  });
});
