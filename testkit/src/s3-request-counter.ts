import type { S3Client } from '@aws-sdk/client-s3';

/** S3 API names as the price list groups them. */
export type S3RequestClass = 'PUT' | 'COPY' | 'POST' | 'LIST' | 'GET' | 'HEAD' | 'DELETE' | 'OTHER';

const CLASS_OF: Record<string, S3RequestClass> = {
  PutObjectCommand: 'PUT',
  CreateMultipartUploadCommand: 'POST',
  UploadPartCommand: 'PUT',
  CompleteMultipartUploadCommand: 'POST',
  CopyObjectCommand: 'COPY',
  ListObjectsV2Command: 'LIST',
  ListObjectsCommand: 'LIST',
  GetObjectCommand: 'GET',
  HeadObjectCommand: 'HEAD',
  DeleteObjectCommand: 'DELETE',
  DeleteObjectsCommand: 'DELETE',
};

/**
 * Counts the S3 requests an S3Client sends, by command and by price class, and
 * the bytes it sends (PUT bodies) and receives (GET bodies): the "instrumented
 * storage" of the ingest tests and the cost bench. One count per command sent
 * (a client with retries would be billed for each attempt too: give it
 * maxAttempts 1 to count exactly what S3 bills).
 */
export class S3RequestCounter {
  readonly byCommand = new Map<string, number>();
  bytesSent = 0;
  bytesReceived = 0;

  /** Adds the counting middleware to `client`; returns the client. */
  attach(client: S3Client): S3Client {
    client.middlewareStack.add((next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      this.byCommand.set(name, (this.byCommand.get(name) ?? 0) + 1);
      const body = (args.input as { Body?: unknown }).Body;
      if (typeof body === 'string') this.bytesSent += Buffer.byteLength(body);
      else if (body instanceof Uint8Array) this.bytesSent += body.byteLength;
      const result = await next(args);
      if (name === 'GetObjectCommand') this.bytesReceived += Number((result.output as { ContentLength?: number }).ContentLength ?? 0);
      return result;
    }, { step: 'initialize', name: 'ecosightRequestCounter' });
    return client;
  }

  /** Requests of one price class (e.g. `LIST`). */
  count(cls: S3RequestClass): number {
    let n = 0;
    for (const [name, c] of this.byCommand) if ((CLASS_OF[name] ?? 'OTHER') === cls) n += c;
    return n;
  }

  /** Every class with its count. */
  snapshot(): Record<S3RequestClass, number> & { bytesSent: number; bytesReceived: number } {
    const classes: S3RequestClass[] = ['PUT', 'COPY', 'POST', 'LIST', 'GET', 'HEAD', 'DELETE', 'OTHER'];
    return { ...Object.fromEntries(classes.map((c) => [c, this.count(c)])) as Record<S3RequestClass, number>, bytesSent: this.bytesSent, bytesReceived: this.bytesReceived };
  }

  reset(): void {
    this.byCommand.clear();
    this.bytesSent = 0;
    this.bytesReceived = 0;
  }
}
