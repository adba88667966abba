import { compareVersions } from '#shared/model/metadata.js';

export type VersionVerdict =
  | { go: true }
  | { go: false; outcome: 'up-to-date' | 'refused'; reason: string };

/**
 * Whether `version` may replace `running`: newer only, unless an operator
 * pinned a version (then exactly that one, older or not); never a version that
 * already failed at run time. Applied twice: to the announced version (to skip
 * a download) and to the signed manifest's version, the one that counts.
 */
export function judgeVersion(version: string, running: string, pinned: string, badVersions: readonly string[]): VersionVerdict {
  if (version === running) return { go: false, outcome: 'up-to-date', reason: 'already running it' };
  if (pinned) {
    if (version !== pinned) return { go: false, outcome: 'refused', reason: `pinned to ${pinned}` };
  } else {
    const order = compareVersions(version, running);
    if (order === 0) return { go: false, outcome: 'up-to-date', reason: `same version as the running ${running}` };
    if (order < 0) return { go: false, outcome: 'refused', reason: `older than the running ${running} (downgrade); pin it to allow` };
  }
  if (badVersions.includes(version)) return { go: false, outcome: 'refused', reason: 'it failed at run time before' };
  return { go: true };
}
