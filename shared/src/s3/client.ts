import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3Settings {
  /** Custom endpoint (MinIO, s3rver, R2...); empty for AWS. */
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Per-request timeout for the HTTP handler. */
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

/**
 * One S3 client factory for station and cloud. Credentials come from the
 * standard AWS chain (env, shared files, instance roles). For custom endpoints the
 * SDK's default flexible checksums are switched to WHEN_REQUIRED: with them on,
 * S3-compatible servers store streamed uploads with aws-chunked framing.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const config: S3ClientConfig = {
    region: settings.region || 'us-east-1',
    maxAttempts: settings.maxAttempts ?? 1,
  };
  if (settings.endpoint) {
    config.endpoint = settings.endpoint;
    config.forcePathStyle = settings.forcePathStyle ?? true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  } else if (settings.forcePathStyle) {
    config.forcePathStyle = true;
  }
  if (settings.requestTimeoutMs) {
    config.requestHandler = { requestTimeout: settings.requestTimeoutMs, connectionTimeout: Math.min(settings.requestTimeoutMs, 10_000) };
  }
  return new S3Client(config);
}
