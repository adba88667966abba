import { parseUploadKey } from '#shared/bucket/layout.js';
import type { LabelledOriginal } from './ports.js';

/**
 * An original's name without the time it was uploaded: an upload's class and
 * file name (`upload:gunshot/shot-1.wav`), a station clip's key. The same data
 * uploaded again has the same name, so everything a job draws from it (its
 * side of the split, its placement and dither in training and evaluation) is
 * the same; the upload-time key would make each run of a seeded job differ.
 */
export function stableName(o: Pick<LabelledOriginal, 'id' | 'key'>): string {
  const upload = parseUploadKey(o.key);
  return upload ? `upload:${upload.class}/${upload.name}` : o.id;
}
