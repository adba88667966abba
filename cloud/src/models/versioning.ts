import { compareVersions } from '#shared/model/metadata.js';

/**
 * The next release version: `YYYY.MM.DD-N` (UTC date, N counting from 1), always
 * greater than every existing version under compareVersions so stations upgrade.
 */
export function nextVersion(existing: readonly string[], now: Date): string {
  const date = `${now.getUTCFullYear()}.${pad(now.getUTCMonth() + 1)}.${pad(now.getUTCDate())}`;
  const newest = [...existing].sort(compareVersions).at(-1);
  for (let n = 1; n < 10_000; n++) {
    const candidate = `${date}-${n}`;
    if (existing.includes(candidate)) continue;
    if (newest === undefined || compareVersions(candidate, newest) > 0) return candidate;
  }
  // The newest version is ahead of today's date (clock skew, odd naming): extend it.
  let suffix = 1;
  while (existing.includes(`${newest}.${suffix}`)) suffix++;
  return `${newest}.${suffix}`;
}

function pad(n: number): string {
  return n.toString().padStart(2, '0');
}
