import { decodeWav } from '#shared/audio/wav-decode.js';
import { describeError } from '#shared/errors.js';
import type { ObjectStorage } from '../../adapters/storage/object-storage.js';
import { assertDecodedSizeWithin } from '../../uploads/audio-limits.js';
import type { AudioOriginal, LabelledOriginal } from './ports.js';

/**
 * Downloads and decodes originals to the model's rate. A file that cannot be
 * read or decoded, or would decode to more than `maxSamples` (a reviewed
 * station clip is whatever the station uploaded), is skipped with a log line;
 * it must not sink the whole job.
 */
export async function loadOriginals(
  storage: ObjectStorage,
  originals: readonly LabelledOriginal[],
  sampleRateHz: number,
  report: (fraction: number, message?: string) => void,
  maxSamples = Number.MAX_SAFE_INTEGER,
): Promise<AudioOriginal[]> {
  const out: AudioOriginal[] = [];
  for (let i = 0; i < originals.length; i++) {
    const o = originals[i];
    try {
      const bytes = await storage.get(o.key);
      assertDecodedSizeWithin(bytes, sampleRateHz, maxSamples);
      const audio = decodeWav(bytes, sampleRateHz);
      out.push({ ...o, samples: audio.samples, sampleRateHz, durationSec: audio.durationSec });
      report((i + 1) / originals.length);
    } catch (err) {
      report((i + 1) / originals.length, `skipped ${o.key}: ${describeError(err)}`);
    }
  }
  return out;
}
