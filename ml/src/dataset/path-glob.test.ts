import { describe, expect, it } from 'vitest';
import { globToRegExp, hasGlobSyntax } from './path-glob.js';

const matches = (pattern: string, path: string): boolean => globToRegExp(pattern).test(path);

describe('globToRegExp', () => {
  it('keeps * and ? inside one path segment', () => {
    expect(matches('sounds/*.ogg', 'sounds/shot.ogg')).toBe(true);
    expect(matches('sounds/*.ogg', 'sounds/menu/click.ogg')).toBe(false);
    expect(matches('cannon?.ogg', 'cannon3.ogg')).toBe(true);
    expect(matches('cannon?.ogg', 'cannon/.ogg')).toBe(false);
  });

  it('lets ** span directories, including none', () => {
    expect(matches('a/**/*.wav', 'a/x.wav')).toBe(true);
    expect(matches('a/**/*.wav', 'a/b/c/x.wav')).toBe(true);
    expect(matches('a/**/*.wav', 'b/x.wav')).toBe(false);
    expect(matches('**/*_desc.ogg', 'animals/birds/crow_desc.ogg')).toBe(true);
  });

  it('supports classes, negated classes and (nested) alternatives', () => {
    expect(matches('cannon[1-4].ogg', 'cannon4.ogg')).toBe(true);
    expect(matches('cannon[1-4].ogg', 'cannon5.ogg')).toBe(false);
    expect(matches('x[!0-9].ogg', 'xa.ogg')).toBe(true);
    expect(matches('x[!0-9].ogg', 'x1.ogg')).toBe(false);
    expect(matches('{gun,m16}.ogg', 'm16.ogg')).toBe(true);
    expect(matches('*_desc{,_fr,_ru}.ogg', 'dog_desc.ogg')).toBe(true);
    expect(matches('*_desc{,_fr,_ru}.ogg', 'dog_desc_ru.ogg')).toBe(true);
    expect(matches('*_desc{,_fr,_ru}.ogg', 'dog_desc_es.ogg')).toBe(false);
    expect(matches('{a/*,b/c}.wav', 'a/z.wav')).toBe(true);
  });

  it('treats regex metacharacters literally and matches whole paths', () => {
    expect(matches('bass!.ogg', 'bass!.ogg')).toBe(true);
    expect(matches('a.ogg', 'aXogg')).toBe(false);
    expect(matches('Mike_Errecart.-.Monkey(1).ogg', 'Mike_Errecart.-.Monkey(1).ogg')).toBe(true);
    expect(matches('shot.ogg', 'sounds/shot.ogg')).toBe(false);
  });

  it('rejects unbalanced syntax', () => {
    expect(() => globToRegExp('a{b,c')).toThrow(/without "\}"/u);
    expect(() => globToRegExp('a[bc')).toThrow(/without "\]"/u);
    expect(() => globToRegExp('a}b')).toThrow(/unbalanced/u);
  });

  it('tells exact paths from globs', () => {
    expect(hasGlobSyntax('usr/share/x.ogg')).toBe(false);
    expect(hasGlobSyntax('usr/share/*.ogg')).toBe(true);
    expect(hasGlobSyntax('usr/{a,b}.ogg')).toBe(true);
  });
});
