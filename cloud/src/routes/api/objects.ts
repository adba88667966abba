import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { describeError } from '#shared/errors.js';
import { forbidden } from '../../errors.js';
import { assertSafeKey } from '../../plugins/storage/object-keys.js';
import type { CloudServices } from '../../services.js';
import { errors } from '../schemas.js';
import { rejectDeclaredOversize } from './multipart.js';
import { fsOnly } from './stations.js';

/**
 * PUT /api/objects/<key>?expires=&sig= : the fs driver's stand-in for a
 * presigned S3 PUT. The signature is checked before the body is read; the
 * object is written atomically; a finished sidecar or clip is ingested at once.
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
    const { expires, sig } = request.query as { expires?: string; sig?: string };
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim();
    return signer.check(key, Number(expires), contentType, String(sig ?? ''), services.clock.now().getTime());
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
      rejectDeclaredOversize(request, maxBytes);
    },
    schema: {
      summary: 'Upload one object through a presigned URL (STORAGE=fs only)',
      tags: ['stations'],
      querystring: Type.Object({ expires: Type.String({ pattern: '^\\d+$' }), sig: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
      response: { 200: Type.Object({ key: Type.String(), bytes: Type.Integer() }), ...errors(400, 403, 404, 413) },
    },
  }, async (request) => {
    const key = (request.params as { '*': string })['*'];
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await services.storage.put(key, body);
    await services.ingestor.onObjectStored(key).catch((err) => request.log.warn({ key, err: describeError(err) }, 'ingest after upload failed'));
    return { key, bytes: body.byteLength };
  });
};
