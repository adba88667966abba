import type { Repos } from '../../adapters/db/repos.js';
import type { LabelledOriginal } from './ports.js';

/**
 * Every labelled original the index knows: uploads (labelled by their folder)
 * and reviewed station clips whose WAV is in storage. Labels the model does not
 * have are reported, not used.
 */
export async function collectOriginals(
  repos: Pick<Repos, 'uploads' | 'detections'>, classes: readonly string[],
): Promise<{ originals: LabelledOriginal[]; unknownLabels: Record<string, number> }> {
  const known = new Set(classes);
  const unknownLabels: Record<string, number> = {};
  const originals: LabelledOriginal[] = [];
  const add = (o: LabelledOriginal) => {
    if (known.has(o.label)) originals.push(o);
    else unknownLabels[o.label] = (unknownLabels[o.label] ?? 0) + 1;
  };
  for (const u of await repos.uploads.all()) add({ id: u.key, key: u.key, label: u.class, source: 'upload', labelledAt: u.createdAt });
  for (const d of await repos.detections.reviewedWithClips()) {
    if (d.clipKey && d.reviewedLabel && d.reviewedAt) {
      add({ id: d.clipKey, key: d.clipKey, label: d.reviewedLabel, source: 'station', detectedLabel: d.label, labelledAt: d.reviewedAt });
    }
  }
  return { originals: originals.sort((a, b) => (a.id < b.id ? -1 : 1)), unknownLabels };
}
