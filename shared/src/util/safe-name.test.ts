import { describe, expect, it } from 'vitest';
import { assertSafeName, isSafeName, pathUnder, UnsafeNameError } from './safe-name.js';

describe('safe names', () => {
  it('accepts versions, station ids and labels', () => {
    for (const ok of ['1.0.0', '2026.11.27-3', 'st-01', 'gunshot', 'chain_saw', 'A', 'x'.repeat(64)]) expect(isSafeName(ok), ok).toBe(true);
  });

  it('refuses anything that could leave a folder, a key prefix or a topic level', () => {
    const hostile: unknown[] = ['', '.', '..', 'z/../../clips', 'z/../..', '..hidden', 'a..b', '/etc', 'a/b', 'a\\b', '.staging', '-rf', 'a b',
      'a\nb', 'a+b', 'a#b', 'x'.repeat(65), 42, null, undefined, { toString: () => '1.0' }, ['1.0']];
    for (const bad of hostile) expect(isSafeName(bad), JSON.stringify(bad)).toBe(false);
    expect(() => assertSafeName('release version', 'z/../../clips')).toThrow(UnsafeNameError);
    expect(() => assertSafeName('release version', 9999)).toThrow(/invalid release version: a number/);
  });

  it('pathUnder keeps derived paths strictly inside their root', () => {
    expect(pathUnder('/data/models', '1.0.0')).toBe('/data/models/1.0.0');
    expect(pathUnder('/data/models', 'reference', '1.wav')).toBe('/data/models/reference/1.wav');
    for (const escape of [['..'], ['.staging-z/../../clips'], ['a', '../../b'], ['/etc/passwd'], ['.'], ['']]) {
      expect(() => pathUnder('/data/models', ...escape), escape.join('/')).toThrow(UnsafeNameError);
    }
  });
});
