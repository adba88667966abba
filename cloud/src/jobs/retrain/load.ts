import { describeError } from '#shared/errors.js';
import type { ObjectStorage } from '../../adapters/storage/object-storage.js';
import { decodeAudioWithin } from '../../uploads/audio-limits.js';
import type { AudioOriginal, LabelledOriginal } from './ports.js';

/**
 * Downloads and decodes one original to the model's rate; throws when the
 * object cannot be read or decoded, or would decode to more than `maxSamples`
 * (a reviewed station clip is whatever the station uploaded).
 */
export async function loadOriginal(storage: ObjectStorage, o: LabelledOriginal, sampleRateHz: number, maxSamples = Number.MAX_SAFE_INTEGER): Promise<AudioOriginal> {
  const bytes = await storage.get(o.key);
  // Station clips arrive as WAV, FLAC or Opus; uploads may be any of them too.
  const audio = await decodeAudioWithin(bytes, sampleRateHz, maxSamples);
  return { ...o, samples: audio.samples, sampleRateHz, durationSec: audio.durationSec };
}

/**
 * Loads several originals (loadOriginal); one that fails is skipped with a
 * log line: it must not sink the whole job. `hold` decides where each loaded
 * original's audio lives (held-originals.ts keeps it in a scratch file).
 */
export async function loadOriginals(
  storage: ObjectStorage,
  originals: readonly LabelledOriginal[],
  sampleRateHz: number,
  report: (fraction: number, message?: string) => void,
  maxSamples = Number.MAX_SAFE_INTEGER,
  hold: (o: AudioOriginal) => AudioOriginal = (o) => o,
): Promise<AudioOriginal[]> {
  const out: AudioOriginal[] = [];
  for (let i = 0; i < originals.length; i++) {
    const o = originals[i];
    try {
      out.push(hold(await loadOriginal(storage, o, sampleRateHz, maxSamples)));
      report((i + 1) / originals.length);
    } catch (err) {
      report((i + 1) / originals.length, `skipped ${o.key}: ${describeError(err)}`);
    }
  }
  return out;
}
