import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { connect, type IClientOptions } from 'mqtt';
import { createS3Client } from '#shared/s3/client.js';
import { fail, pass, skip, warn, type CheckContext, type CheckOutcome } from './doctor-types.js';

/** Connects to the configured broker with the station's credentials and TLS settings. */
export async function checkBroker({ config, timeoutMs }: CheckContext): Promise<CheckOutcome> {
  const m = config.mqtt;
  if (!m.url) return skip('mqtt.url is empty (MQTT off)');
  const shown = redactUrl(m.url);
  let options: IClientOptions;
  try {
    options = {
      // Never the station's own client id: the broker would disconnect the running daemon.
      clientId: `${config.stationId}-doctor-${randomBytes(4).toString('hex')}`,
      protocolVersion: m.protocolVersion,
      username: m.username,
      password: m.password,
      connectTimeout: timeoutMs,
      reconnectPeriod: 0,
      rejectUnauthorized: m.rejectUnauthorized,
      ca: m.caFile ? await readFile(m.caFile) : undefined,
      cert: m.certFile ? await readFile(m.certFile) : undefined,
      key: m.keyFile ? await readFile(m.keyFile) : undefined,
    };
  } catch (err) {
    return fail(`cannot read a TLS file for ${shown}: ${(err as Error).message}`);
  }
  const started = Date.now();
  try {
    await connectOnce(m.url, options, timeoutMs);
    return pass(`connected to ${shown} in ${Date.now() - started} ms (MQTT ${m.protocolVersion === 5 ? '5' : '3.1.1'})`);
  } catch (err) {
    return fail(`cannot connect to ${shown}: ${(err as Error).message}`);
  }
}

/** HeadBucket with the standard AWS credential chain, as the uploader will use it. */
export async function checkBucket({ config, timeoutMs }: CheckContext): Promise<CheckOutcome> {
  const u = config.upload;
  if (!u.bucket) {
    return skip(u.presignUrl ? `uploads use presigned URLs from ${u.presignUrl} (see the cloud check)` : 'no bucket: local mode, clips stay on this box');
  }
  const where = `${u.bucket} at ${u.endpoint || `AWS ${u.region}`}`;
  const client = createS3Client({ endpoint: u.endpoint, region: u.region, forcePathStyle: u.forcePathStyle, requestTimeoutMs: timeoutMs, maxAttempts: 1 });
  try {
    await client.send(new HeadBucketCommand({ Bucket: u.bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return pass(`bucket ${where} is reachable`);
  } catch (err) {
    return bucketProblem(err, where);
  } finally {
    client.destroy();
  }
}

/** The cloud the station polls for models or asks for presigned URLs answers its health route. */
export async function checkCloud({ config, timeoutMs }: CheckContext): Promise<CheckOutcome> {
  const base = config.upload.presignUrl || config.ota.url;
  if (!base) return skip('neither upload.presignUrl nor ota.url is set');
  const url = `${base.replace(/\/+$/, '')}/status`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return fail(`${url} answered ${res.status}`);
    const body = (await res.json().catch(() => ({}))) as { version?: string; status?: string };
    return pass(`${url} answers${body.version ? ` (version ${body.version}${body.status ? `, ${body.status}` : ''})` : ''}`);
  } catch (err) {
    return fail(`${url} unreachable: ${(err as Error).message}`);
  }
}

function bucketProblem(err: unknown, where: string): CheckOutcome {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    return fail(`no AWS credentials for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (e.g. in /etc/ecosight/station.env)`);
  }
  if (e.name === 'NotFound' || e.name === 'NoSuchBucket' || status === 404) return fail(`bucket ${where} does not exist`);
  // A least-privilege station key may only PutObject under its prefix: HeadBucket needs ListBucket.
  if (status === 403) return warn(`bucket ${where} answered 403 to HeadBucket: expected with write-only station credentials, otherwise check the keys`);
  if (e.name === 'RequestTimeTooSkewed') return fail(`bucket ${where} rejects this clock as skewed: fix the time first`);
  return fail(`bucket ${where} unreachable: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(err)}`);
}

function connectOnce(url: string, options: IClientOptions, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = connect(url, options);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs);
    client.once('connect', () => finish());
    client.once('error', (err) => finish(err));
    client.once('close', () => finish(new Error('connection closed before CONNACK')));
  });
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
