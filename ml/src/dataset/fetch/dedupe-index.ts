import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { dedupeRecordings, type DroppedDuplicate } from '../dedupe.js';
import { deserializeFingerprint, fingerprintAudio, serializeFingerprint, type AudioFingerprint } from '../fingerprint.js';
import type { IndexRecord } from '../index-file.js';

export const DUPLICATES_FILE_NAME = 'duplicates.tsv';
const FINGERPRINT_SUFFIX = '.fp';

/**
 * Drops every second copy of a recording from the index records (see
 * dedupeRecordings). Which copy stays: the evaluation copy (so the reserved
 * packages stay whole and training never sees their audio), then a labelled
 * copy over an unlabelled one, then the first by package and path.
 * Fingerprints are cached beside each WAV as `<wav>.fp`.
 */
export async function dedupeIndexRecords(
  cacheDir: string, records: readonly IndexRecord[],
): Promise<{ kept: IndexRecord[]; dropped: Array<DroppedDuplicate<IndexRecord>> }> {
  const frontEnd = new LogMelFrontEnd();
  const items: Array<{ record: IndexRecord; fingerprint: AudioFingerprint }> = [];
  for (const record of records) items.push({ record, fingerprint: await cachedFingerprint(join(cacheDir, record.wav), frontEnd) });
  return dedupeRecordings(items, preferCopy);
}

export function preferCopy(a: IndexRecord, b: IndexRecord): number {
  if (a.split !== b.split) return a.split === 'eval' ? -1 : 1;
  if ((a.labels.length > 0) !== (b.labels.length > 0)) return a.labels.length > 0 ? -1 : 1;
  return a.package < b.package ? -1 : a.package > b.package ? 1 : a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0;
}

async function cachedFingerprint(wavPath: string, frontEnd: LogMelFrontEnd): Promise<AudioFingerprint> {
  const sidecar = `${wavPath}${FINGERPRINT_SUFFIX}`;
  const [wav, fp] = await Promise.all([stat(wavPath), stat(sidecar).catch(() => undefined)]);
  if (fp && fp.mtimeMs >= wav.mtimeMs) {
    try {
      return deserializeFingerprint(new Uint8Array(await readFile(sidecar)));
    } catch {
      // damaged sidecar: compute again
    }
  }
  const fingerprint = fingerprintAudio(decodeWav(new Uint8Array(await readFile(wavPath))).samples, frontEnd);
  await writeFile(sidecar, serializeFingerprint(fingerprint));
  return fingerprint;
}

/** `<cache>/duplicates.tsv`: each dropped copy and the copy kept in its place. */
export function formatDuplicates(dropped: ReadonlyArray<DroppedDuplicate<IndexRecord>>): string {
  const rows = [...dropped]
    .sort((x, y) => (x.dropped.wav < y.dropped.wav ? -1 : x.dropped.wav > y.dropped.wav ? 1 : 0))
    .map((d) => [d.dropped.package, d.dropped.sourcePath, d.keptAs.package, d.keptAs.sourcePath].join('\t'));
  return `${['dropped_package', 'dropped_source_path', 'kept_package', 'kept_source_path'].join('\t')}\n${rows.map((r) => `${r}\n`).join('')}`;
}
