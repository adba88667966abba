import { describe, expect, it } from 'vitest';
import { compareVersions } from '#shared/model/metadata.js';
import { nextVersion } from './versioning.js';

describe('nextVersion', () => {
  const now = new Date('2026-11-27T10:00:00Z');

  it('uses the UTC date and counts up within a day', () => {
    expect(nextVersion([], now)).toBe('2026.11.27-1');
    expect(nextVersion(['2026.01.01-1'], now)).toBe('2026.11.27-1');
    expect(nextVersion(['2026.11.27-1', '2026.11.27-2'], now)).toBe('2026.11.27-3');
  });

  it('is always newer than every existing version', () => {
    for (const existing of [['2027.01.01-1'], ['9.0.0'], ['2026.11.27-9', '2026.11.27-10'], ['2026.11.27-1.1']]) {
      const v = nextVersion(existing, now);
      for (const e of existing) expect(compareVersions(v, e), `${v} > ${e}`).toBeGreaterThan(0);
      expect(v).toMatch(/^[0-9A-Za-z._-]+$/);
    }
  });
});
