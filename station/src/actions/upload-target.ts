import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { EcoSightError } from '#shared/errors.js';

/** Where clips go: straight to S3 with credentials, or through URLs the cloud presigns. */
export interface UploadTarget {
  /** Idempotent: putting the same key twice leaves one object. */
  put(key: string, body: Buffer, contentType: string, signal: AbortSignal): Promise<void>;
  describe(): string;
}

/** A rejection the station cannot fix by retrying soon (bad credentials, missing bucket). */
export class UploadRejectedError extends EcoSightError {
  constructor(message: string) {
    super('UPLOAD_REJECTED', message);
  }
}

export class S3Target implements UploadTarget {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly multipartThresholdBytes: number,
  ) {}

  describe(): string {
    return `s3://${this.bucket}`;
  }

  async put(key: string, body: Buffer, contentType: string, signal: AbortSignal): Promise<void> {
    try {
      if (body.byteLength >= this.multipartThresholdBytes) {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
          partSize: Math.max(5 * 1024 * 1024, this.multipartThresholdBytes),
          queueSize: 1,
          leavePartsOnError: false,
        });
        signal.addEventListener('abort', () => upload.abort().catch(() => undefined), { once: true }); // done() reports the outcome
        await upload.done();
      } else {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }), { abortSignal: signal });
      }
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 403 || status === 404) throw new UploadRejectedError(`${this.describe()} refused ${key}: HTTP ${status} ${(err as Error).name}`);
      throw err;
    }
  }
}

interface PresignedUrl {
  key: string;
  url: string;
  method: string;
  headers?: Record<string, string>;
}

/**
 * Uploads through presigned PUT URLs issued by the cloud for this station's
 * prefix only: the station holds a token, never keys that could read or
 * delete other stations' data.
 */
export class PresignedTarget implements UploadTarget {
  constructor(
    private readonly baseUrl: string,
    private readonly stationId: string,
    private readonly token: string,
  ) {}

  describe(): string {
    return `${this.baseUrl} (presigned)`;
  }

  async put(key: string, body: Buffer, contentType: string, signal: AbortSignal): Promise<void> {
    // The URL is signed for this exact length and creates the object once.
    const [target] = await this.presign([{ key, bytes: body.byteLength }], signal);
    const res = await fetch(target.url, {
      method: target.method || 'PUT',
      headers: { ...(target.headers ?? {}), 'content-type': contentType },
      body,
      signal,
    });
    await res.arrayBuffer().catch(() => undefined);
    // 412: the object exists (write-once keys): an earlier attempt stored it before its answer was lost.
    if (res.status === 412) return;
    if (res.status === 401 || res.status === 403) throw new UploadRejectedError(`presigned PUT of ${key} refused: HTTP ${res.status}`);
    if (!res.ok) throw new Error(`presigned PUT of ${key} failed: HTTP ${res.status}`);
  }

  private async presign(objects: Array<{ key: string; bytes: number }>, signal: AbortSignal): Promise<PresignedUrl[]> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/api/stations/${encodeURIComponent(this.stationId)}/presign`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-station-token': this.token },
      body: JSON.stringify({ objects }),
      signal,
    });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new UploadRejectedError(`cloud refused to presign: HTTP ${res.status}`);
    if (!res.ok) throw new Error(`presign failed: HTTP ${res.status} ${text.slice(0, 200)}`);
    const parsed = JSON.parse(text) as { urls?: PresignedUrl[] };
    if (!Array.isArray(parsed.urls) || parsed.urls.length !== objects.length) throw new Error('presign answer has no URLs');
    return parsed.urls;
  }
}
