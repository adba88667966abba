import { createHash } from 'node:crypto';
import { isSidecarKey } from '#shared/bucket/layout.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { ObjectNotFoundError, ObjectTooLargeError } from '../errors.js';
import type { DetectionsRepo } from '../adapters/db/detections-repo.js';
import { getBounded, type ObjectStorage } from '../adapters/storage/object-storage.js';
import type { Ingestor } from './ingestor.js';

/** One object a station says it uploaded: what it sent, as it sent it. */
export interface ConfirmedObject {
  key: string;
  bytes: number;
  /** sha256 of the uploaded bytes, hex. */
  sha256: string;
}

/**
 * What the check of one confirmed object found:
 * - `ok`: present, as confirmed, and indexed;
 * - `missing`: not in storage (yet): the station may confirm again later;
 * - `mismatch`: present but not what the station uploaded (size or checksum): retrying cannot fix it;
 * - `invalid`: a sidecar the ingest refuses (unreadable, or naming another station or clip).
 */
export type ConfirmStatus = 'ok' | 'missing' | 'mismatch' | 'invalid';

export interface ConfirmResult {
  key: string;
  status: ConfirmStatus;
  detail?: string;
  /** The detection a confirmed sidecar indexed. */
  eventId?: string;
}

export interface UploadConfirmerDeps {
  storage: ObjectStorage;
  detections: DetectionsRepo;
  ingestor: Ingestor;
}

/** A sidecar is about 1 KB; anything far bigger is not one. */
const MAX_SIDECAR_BYTES = 64 * 1024;

/**
 * The hot ingest path: checks exactly the objects a station confirms (keys
 * already checked against its prefix by the route) and ingests them through
 * the scanner's path (Ingestor.ingestSidecar), so a confirmation costs one GET
 * per sidecar and one HEAD per clip, and no listing. The sidecar is read
 * whole, so its size and sha256 are checked for real; a clip's size comes from
 * a HEAD and its sha256 must match what the sidecar records (storage cannot
 * hash a clip without reading it). Confirming twice, or a reconciliation
 * finding the same sidecar, updates the one row.
 */
export class UploadConfirmer {
  private readonly deps: UploadConfirmerDeps;

  constructor(deps: UploadConfirmerDeps) {
    this.deps = deps;
  }

  async confirm(objects: ConfirmedObject[], nowIso: string): Promise<ConfirmResult[]> {
    const byKey = new Map(objects.map((o) => [o.key, o]));
    const results = new Map<string, ConfirmResult>();
    for (const sidecar of objects.filter((o) => isSidecarKey(o.key))) {
      for (const r of await this.confirmSidecar(sidecar, byKey)) results.set(r.key, r);
    }
    for (const clip of objects.filter((o) => !results.has(o.key) && !isSidecarKey(o.key))) {
      const r = await this.checkClip(clip);
      if (r.status === 'ok') await this.deps.detections.markClipAvailable(clip.key, nowIso);
      results.set(clip.key, r);
    }
    return objects.map((o) => results.get(o.key) as ConfirmResult);
  }

  /** The sidecar's result, and its clip's when the clip was confirmed with it. */
  private async confirmSidecar(confirmed: ConfirmedObject, byKey: Map<string, ConfirmedObject>): Promise<ConfirmResult[]> {
    const read = await this.readSidecar(confirmed);
    if ('status' in read) return [read];
    const clip = byKey.get(read.sidecar.clipKey);
    const clipResult = clip ? await this.checkClip(clip, read.sidecar) : undefined;
    const record = await this.deps.ingestor.ingestSidecar(confirmed.key, read.sidecar, clipResult ? clipResult.status === 'ok' : undefined);
    if (!record) return [{ key: confirmed.key, status: 'invalid', detail: 'the sidecar fails its checks (see the service log)' }, ...(clipResult ? [clipResult] : [])];
    return [{ key: confirmed.key, status: 'ok', eventId: record.id }, ...(clipResult ? [clipResult] : [])];
  }

  private async readSidecar(confirmed: ConfirmedObject): Promise<{ sidecar: ClipSidecar } | ConfirmResult> {
    const key = confirmed.key;
    let body: Buffer;
    try {
      body = await getBounded(this.deps.storage, key, MAX_SIDECAR_BYTES);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return { key, status: 'missing', detail: 'not in storage' };
      if (err instanceof ObjectTooLargeError) return { key, status: 'mismatch', detail: `larger than ${MAX_SIDECAR_BYTES} bytes` };
      throw err;
    }
    if (body.byteLength !== confirmed.bytes) return { key, status: 'mismatch', detail: `stored ${body.byteLength} bytes, confirmed ${confirmed.bytes}` };
    if (sha256Hex(body) !== confirmed.sha256) return { key, status: 'mismatch', detail: 'sha256 differs from the confirmed one' };
    try {
      return { sidecar: JSON.parse(body.toString('utf8')) as ClipSidecar };
    } catch {
      return { key, status: 'invalid', detail: 'not JSON' };
    }
  }

  /** HEAD: present at the confirmed size; with its sidecar, also the size and sha256 the sidecar records. */
  private async checkClip(confirmed: ConfirmedObject, sidecar?: ClipSidecar): Promise<ConfirmResult> {
    const key = confirmed.key;
    const info = await this.deps.storage.head(key);
    if (!info) return { key, status: 'missing', detail: 'not in storage' };
    if (info.bytes !== confirmed.bytes) return { key, status: 'mismatch', detail: `stored ${info.bytes} bytes, confirmed ${confirmed.bytes}` };
    if (sidecar && (sidecar.bytes !== confirmed.bytes || sidecar.sha256 !== confirmed.sha256)) {
      return { key, status: 'mismatch', detail: 'size or sha256 differs from what the sidecar records' };
    }
    return { key, status: 'ok' };
  }
}

function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
