import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { describeError } from '#shared/errors.js';
import { ApiError, forbidden } from '../../errors.js';
import { assertSafeKey } from '../../adapters/storage/object-keys.js';
import type { CloudServices } from '../../services.js';
import { errors } from '../schemas.js';
import { rejectDeclaredOversize } from './multipart.js';
import { fsOnly } from './stations.js';

/**
 * PUT /api/objects/<key>?expires=&bytes=&sig= : the fs driver's stand-in for a
 * presigned S3 PUT. The signature (over key, expiry, type and length) is checked
 * before the body is read; a body of another length is refused. Objects are
 * written once, atomically: a URL cannot overwrite what exists (the same bytes
 * again, a retry, are accepted). A finished sidecar or clip is ingested at once.
 */
export const objectRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const maxBytes = Math.round(services.config.maxUploadMb * 1024 * 1024);
  // Objects are stored byte for byte whatever their type: no JSON parsing here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body));

  /** The signed URL's verdict for this request; undefined without the fs driver. */
  const verdictOf = (request: FastifyRequest): 'ok' | 'expired' | 'bad-signature' | undefined => {
    const signer = services.urlSigner;
    if (!signer) return undefined;
    const key = assertSafeKey((request.params as { '*': string })['*']);
    const { expires, sig, bytes } = request.query as { expires?: string; sig?: string; bytes?: string };
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim();
    return signer.check(key, Number(expires), contentType, String(sig ?? ''), services.clock.now(), bytes === undefined ? undefined : Number(bytes));
  };

  app.put('/api/objects/*', {
    config: {
      rateLimit: {
        max: services.config.uploadsPerMinute * 4,
        timeWindow: 60_000,
        // A budget per station, not per IP: stations behind one carrier NAT share an address. Only a
        // URL that verifies counts against its station, so forged URLs cannot spend a station's budget.
        keyGenerator: (request: FastifyRequest) => {
          const station = /^stations\/([^/]+)\//.exec((request.params as { '*': string })['*'] ?? '')?.[1];
          let verdict: ReturnType<typeof verdictOf>;
          try {
            verdict = verdictOf(request);
          } catch {
            verdict = undefined; // an unsafe key: refused by onRequest
          }
          return station && verdict === 'ok' ? `station:${station}` : `ip:${request.ip}`;
        },
      },
    },
    onRequest: async (request) => {
      const verdict = verdictOf(request);
      if (verdict === undefined) throw fsOnly();
      if (verdict === 'expired') throw forbidden('this upload URL has expired');
      if (verdict !== 'ok') throw forbidden('bad signature (the key, expiry or content type differ from what was signed)');
      const signed = (request.query as { bytes?: string }).bytes;
      rejectDeclaredOversize(request, signed === undefined ? maxBytes : Math.min(maxBytes, Number(signed)));
    },
    schema: {
      summary: 'Upload one object through a presigned URL (STORAGE=fs only)',
      tags: ['stations'],
      querystring: Type.Object({
        expires: Type.String({ pattern: '^\\d+$' }),
        bytes: Type.Optional(Type.String({ pattern: '^\\d{1,12}$' })),
        sig: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      }),
      response: { 200: Type.Object({ key: Type.String(), bytes: Type.Integer() }), ...errors(400, 403, 404, 412, 413) },
    },
  }, async (request) => {
    const key = (request.params as { '*': string })['*'];
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const signed = request.query.bytes;
    if (signed !== undefined && body.byteLength !== Number(signed)) {
      throw new ApiError(400, 'LENGTH_MISMATCH', `the URL was signed for ${signed} bytes, the body has ${body.byteLength}`);
    }
    if (!(await services.storage.createIfAbsent(key, body)) && !(await sameObject(services, key, body))) {
      throw new ApiError(412, 'OBJECT_EXISTS', `${key} exists: station objects are written once`);
    }
    await services.ingestor.onObjectStored(key).catch((err) => request.log.warn({ key, err: describeError(err) }, 'ingest after upload failed'));
    return { key, bytes: body.byteLength };
  });
};

/** A retry of an upload that already landed: same length, same bytes. */
async function sameObject(services: CloudServices, key: string, body: Buffer): Promise<boolean> {
  const info = await services.storage.head(key);
  if (!info || info.bytes !== body.byteLength) return false;
  return (await services.storage.get(key)).equals(body);
}
