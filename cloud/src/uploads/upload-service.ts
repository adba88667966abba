import { clipContentType, clipExtension, type ClipCodec } from '#shared/audio/clip-codec.js';
import type { Clock } from '#shared/util/clock.js';
import { clash, invalid } from '../errors.js';
import type { UploadsRepo } from '../adapters/db/uploads-repo.js';
import type { ObjectStorage } from '../adapters/storage/object-storage.js';
import { decodeAudioWithin } from './audio-limits.js';
import { uploadKey, uploadTimestamp } from '#shared/bucket/layout.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

export interface UploadInput {
  className: string | undefined;
  fileName: string | undefined;
  bytes: Buffer | undefined;
}

/** The seed's answer to POST /upload. */
export interface UploadResult {
  success: true;
  message: string;
  file_path: string;
  class: string;
  s3_uploaded: boolean;
  timestamp: string;
}

export interface UploadServiceDeps {
  storage: ObjectStorage;
  uploads: UploadsRepo;
  /** Classes an upload may be labelled with (the current model's). */
  classes: () => Promise<string[]>;
  clock: Clock;
  /** Longest audio accepted, in samples at 16 kHz (see maxDecodedSamples). */
  maxDecodedSamples: number;
}

const TRAVERSAL = /[/\\\0]|\.\./;

/**
 * Stores a labelled original. Everything is checked before the first byte is
 * written (names, class, audio decode), and a failed index write removes the
 * object again, so a rejected upload leaves nothing behind.
 */
export class UploadService {
  private readonly deps: UploadServiceDeps;
  /** Keys chosen by uploads still being written: a concurrent upload of the same name must not pick them too. */
  private readonly reserved = new Set<string>();

  constructor(deps: UploadServiceDeps) {
    this.deps = deps;
  }

  async store(input: UploadInput): Promise<UploadResult> {
    const { className, fileName, bytes } = input;
    if (!className) throw invalid('VALIDATION', 'the "class" field is required');
    if (!bytes || fileName === undefined) throw invalid('VALIDATION', 'the "file" field is required');
    if (TRAVERSAL.test(className)) throw invalid('UNSAFE_NAME', `class ${JSON.stringify(className)} may not contain "/", "\\" or ".."`);
    if (TRAVERSAL.test(fileName)) throw invalid('UNSAFE_NAME', `file name ${JSON.stringify(fileName)} may not contain "/", "\\" or ".."`);
    const classes = await this.deps.classes();
    if (!classes.includes(className)) {
      throw invalid('UNKNOWN_CLASS', `class ${JSON.stringify(className)} is not one of: ${classes.join(', ')}`);
    }
    const audio = await decodeAudioWithin(bytes, SAMPLE_RATE_HZ, this.deps.maxDecodedSamples);
    if (audio.samples.length === 0) throw invalid('AUDIO_DECODE', 'the audio file holds no audio');

    const now = new Date(this.deps.clock.now());
    const timestamp = uploadTimestamp(now);
    const key = await this.freeKey(className, timestamp, safeStem(fileName), audio.codec);
    try {
      await this.deps.storage.put(key, bytes, clipContentType(audio.codec));
      try {
        await this.deps.uploads.upsert({ key, class: className, name: key.slice(key.lastIndexOf('/') + 1 + timestamp.length + 1), bytes: bytes.byteLength, createdAt: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString() });
      } catch (err) {
        await this.deps.storage.delete(key).catch(() => undefined);
        throw err;
      }
    } finally {
      this.reserved.delete(key);
    }
    return {
      success: true,
      message: 'File uploaded successfully',
      file_path: key,
      class: className,
      s3_uploaded: this.deps.storage.driver === 's3',
      timestamp,
    };
  }

  /**
   * Two uploads of the same name in the same second get `_2`, `_3`... rather than
   * overwriting. The key is reserved before the storage check awaits, so
   * concurrent uploads in this process never choose the same one; the caller
   * releases it once the upload is indexed or failed.
   */
  private async freeKey(className: string, timestamp: string, stem: string, codec: ClipCodec): Promise<string> {
    for (let n = 1; n < 1000; n++) {
      const key = uploadKey(className, timestamp, `${stem}${n === 1 ? '' : `_${n}`}${clipExtension(codec)}`);
      if (this.reserved.has(key)) continue;
      this.reserved.add(key);
      let taken: boolean;
      try {
        taken = (await this.deps.uploads.has(key)) || (await this.deps.storage.head(key)) !== undefined;
      } catch (err) {
        this.reserved.delete(key);
        throw err;
      }
      if (!taken) return key;
      this.reserved.delete(key);
    }
    throw clash('CONFLICT', 'too many uploads with this name in one second');
  }
}

/** File name without extension, reduced to [A-Za-z0-9._-], never starting with a dot. */
export function safeStem(fileName: string): string {
  const base = fileName.replace(/\.(wav|wave|flac|opus|ogg)$/i, '');
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100);
  return cleaned || 'audio';
}
