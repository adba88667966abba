import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CLIP_EXTENSION_PATTERN, codecOfKey, type ClipCodec } from '#shared/audio/clip-codec.js';
import { decodeClip } from '#shared/audio/decode-clip.js';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import { createS3Client } from '#shared/s3/client.js';
import { TEMP_FILE_PATTERN } from '#shared/util/atomic-file.js';
import type { TestS3 } from '#testkit/s3rver.js';
import { integrityCheck, openDatabase } from '../../src/store/database.js';

export interface InvariantReport {
  checked: number;
  violations: string[];
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface InvariantOptions {
  /** The codec every clip must have (key extension and bytes). */
  codec?: ClipCodec;
  /** Also decode every clip file and compare its length with the recorded one (a half-written encoder output fails this). */
  decode?: boolean;
}

/**
 * What must hold after any crash: the database is intact, every recorded clip
 * exists on disk with its recorded hash (and, with `decode`, decodes to its recorded
 * length), and every object in the bucket is a clip the station recorded, byte for
 * byte, with a sidecar that agrees.
 */
export async function checkStationInvariants(dataDir: string, s3: TestS3 | undefined, stationId: string, options: InvariantOptions = {}): Promise<InvariantReport> {
  const violations: string[] = [];
  let checked = 0;
  const dbPath = join(dataDir, 'station.db');
  if (!existsSync(dbPath)) return { checked, violations };
  const db = openDatabase(dbPath);
  const integrity = integrityCheck(db);
  checked++;
  if (integrity !== 'ok') violations.push(`integrity_check: ${integrity}`);
  const clips = db.prepare(`SELECT id, path, object_key, sha256, upload_state, deleted_at_ms, duration_sec FROM clips`).all() as Array<{ id: string; path: string; object_key: string; sha256: string; upload_state: string; deleted_at_ms: number | null; duration_sec: number }>;
  const closedWithoutClip = db.prepare(`SELECT COUNT(*) AS n FROM detections d WHERE d.status = 'closed' AND NOT EXISTS (SELECT 1 FROM clips c WHERE c.detection_id = d.id)`).get() as { n: number };
  db.close();
  checked++;
  if (closedWithoutClip.n > 0) violations.push(`${closedWithoutClip.n} closed detection(s) without a clip`);
  for (const c of clips) {
    if (c.deleted_at_ms !== null) continue;
    checked++;
    if (options.codec && codecOfKey(c.object_key) !== options.codec) violations.push(`clip ${c.id}: key ${c.object_key} is not ${options.codec}`);
    if (!existsSync(c.path)) violations.push(`clip ${c.id}: file missing`);
    else if (sha256(readFileSync(c.path)) !== c.sha256) violations.push(`clip ${c.id}: file does not match its sha256`);
    else if (options.decode) violations.push(...(await decodeProblems(c.id, readFileSync(c.path), c.duration_sec)));
  }
  if (s3) {
    const byKey = new Map(clips.map((c) => [c.object_key, c]));
    const client = createS3Client({ endpoint: s3.endpoint, forcePathStyle: true });
    const list = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `stations/${stationId}/` }));
    const get = async (key: string): Promise<Buffer> => {
      const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    };
    const keys = new Set((list.Contents ?? []).map((o) => o.Key as string));
    for (const key of keys) {
      if (!CLIP_EXTENSION_PATTERN.test(key)) continue;
      checked++;
      const clip = byKey.get(key);
      const body = await get(key);
      if (!clip) violations.push(`bucket object ${key} has no clip row`);
      else if (sha256(body) !== clip.sha256) violations.push(`bucket object ${key} does not match the clip's sha256`);
      const sidecarKey = sidecarKeyFor(key);
      if (keys.has(sidecarKey)) {
        const sidecar = JSON.parse((await get(sidecarKey)).toString()) as { sha256: string; codec?: string };
        if (sidecar.sha256 !== sha256(body)) violations.push(`sidecar ${sidecarKey} disagrees with its clip`);
        if ((sidecar.codec ?? 'wav') !== codecOfKey(key)) violations.push(`sidecar ${sidecarKey} names codec ${sidecar.codec} for ${key}`);
      }
    }
    for (const c of clips) {
      if (c.upload_state !== 'uploaded') continue;
      checked++;
      if (!keys.has(c.object_key) || !keys.has(sidecarKeyFor(c.object_key))) violations.push(`clip ${c.id} marked uploaded but missing from the bucket`);
    }
  }
  return { checked, violations };
}

async function decodeProblems(id: string, bytes: Buffer, durationSec: number): Promise<string[]> {
  try {
    const audio = await decodeClip(bytes);
    return Math.abs(audio.durationSec - durationSec) > 0.01 ? [`clip ${id}: decodes to ${audio.durationSec.toFixed(3)} s, recorded ${durationSec.toFixed(3)} s`] : [];
  } catch (err) {
    return [`clip ${id}: does not decode: ${(err as Error).message}`];
  }
}

/** Clip (or leftover temp) files in the clip folder that no clip row points to (allowed mid-crash, never at rest). */
export function orphanClipFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'clips');
  if (!existsSync(dir)) return [];
  const db = openDatabase(join(dataDir, 'station.db'));
  const known = new Set((db.prepare(`SELECT path FROM clips`).all() as Array<{ path: string }>).map((r) => r.path));
  db.close();
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => CLIP_EXTENSION_PATTERN.test(f) || TEMP_FILE_PATTERN.test(f)).map((f) => join(dir, f)).filter((p) => !known.has(p));
}
