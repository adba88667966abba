import { Type } from '@sinclair/typebox';
import { stationDocKey, stationPrefix } from '#shared/bucket/layout.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { assertSafeKey } from '../../adapters/storage/object-keys.js';
import { baseUrlOf, type CloudServices } from '../../services.js';
import { StationError } from '../../stations/station-service.js';
import { errors, StationIdSchema, StationSchema } from '../schemas.js';

export const PRESIGN_EXPIRES_SEC = 15 * 60;

export const stationRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { repos, storage, auth } = services;

  app.post('/api/stations', {
    onRequest: auth.admin,
    schema: {
      summary: 'Register a station; the token is shown once',
      tags: ['stations'],
      body: Type.Object({ id: StationIdSchema, name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      response: { 201: Type.Object({ id: Type.String(), token: Type.String() }), ...errors(400, 401, 409) },
    },
  }, async (request, reply) => {
    const issued = await services.stations.register(request.body.id, request.body.name).catch(httpError);
    request.log.info({ station: issued.id }, 'station registered');
    reply.code(201);
    return issued;
  });

  const TokenAnswer = Type.Object({ id: Type.String(), token: Type.String() });
  app.post('/api/stations/:id/token', {
    onRequest: auth.admin,
    schema: {
      summary: "Rotate a station's token: a new one is shown once, the old one is refused at once",
      tags: ['stations'],
      params: Type.Object({ id: StationIdSchema }),
      response: { 200: TokenAnswer, ...errors(401, 404) },
    },
  }, async (request) => {
    const issued = await services.stations.rotate(request.params.id).catch(httpError);
    request.log.info({ station: issued.id }, 'station token rotated');
    return issued;
  });

  app.delete('/api/stations/:id/token', {
    onRequest: auth.admin,
    schema: {
      summary: "Revoke a station's token: presigning, downloads and MQTT ingestion refuse it at once",
      tags: ['stations'],
      params: Type.Object({ id: StationIdSchema }),
      response: { 200: Type.Object({ id: Type.String(), revoked: Type.Literal(true) }), ...errors(401, 404) },
    },
  }, async (request) => {
    await services.stations.revoke(request.params.id).catch(httpError);
    request.log.info({ station: request.params.id }, 'station token revoked');
    return { id: request.params.id, revoked: true as const };
  });

  app.get('/api/stations', {
    onRequest: auth.read,
    schema: { summary: 'Stations with their health', tags: ['stations'], response: { 200: Type.Object({ items: Type.Array(StationSchema) }), ...errors(401) } },
  }, async () => ({ items: await repos.stations.list() }));

  const maxBytes = Math.round(services.config.maxUploadMb * 1024 * 1024);
  const PresignKey = Type.String({ maxLength: 512 });
  app.post('/api/stations/:id/presign', {
    onRequest: auth.station,
    // A budget per station (the route's :id), checked after the token: a leaked or
    // misbehaving station cannot mint URLs without end, nor spend another's budget.
    config: {
      rateLimit: {
        max: services.config.uploadsPerMinute,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => `presign:${(request.params as { id?: string }).id ?? ''}`,
      },
    },
    schema: {
      summary: 'Presigned PUT URLs for keys under stations/<id>/ (each creates its object once, at its signed length)',
      tags: ['stations'],
      params: Type.Object({ id: StationIdSchema }),
      body: Type.Object({
        keys: Type.Optional(Type.Array(PresignKey, { minItems: 1, maxItems: 100, description: 'legacy: keys without lengths (STORAGE=fs only; capped at MAX_UPLOAD_MB)' })),
        objects: Type.Optional(Type.Array(Type.Object({ key: PresignKey, bytes: Type.Integer({ minimum: 0, maximum: maxBytes }) }, { additionalProperties: false }), { minItems: 1, maxItems: 100 })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          urls: Type.Array(Type.Object({
            key: Type.String(), url: Type.String(), method: Type.Literal('PUT'),
            headers: Type.Record(Type.String(), Type.String()), expiresAt: Type.String(),
          })),
        }),
        ...errors(400, 401, 403, 404, 429),
      },
    },
  }, async (request) => {
    const { id } = request.params;
    if (!(await repos.stations.get(id))) throw notFound(`station ${id} is not registered`);
    // An admin may presign for a revoked station; its own (revoked) token never gets here.
    const wanted: Array<{ key: string; bytes?: number }> = request.body.objects ?? (request.body.keys ?? []).map((key) => ({ key }));
    if (wanted.length === 0 || (request.body.objects && request.body.keys)) throw badRequest('VALIDATION', 'send either objects [{key, bytes}] or keys');
    const prefix = stationPrefix(id);
    for (const { key } of wanted) {
      assertSafeKey(key);
      if (!key.startsWith(prefix)) throw forbidden(`key ${key} is outside ${prefix}`);
      if (key === stationDocKey(id)) throw forbidden(`${key} is reserved for the service`);
    }
    const serviceBaseUrl = baseUrlOf(services.config, request);
    const urls = [];
    for (const { key, bytes } of wanted) urls.push(await storage.presignPut(key, { expiresSec: PRESIGN_EXPIRES_SEC, serviceBaseUrl, bytes }));
    return { urls };
  });

  app.post('/api/scan', {
    onRequest: auth.admin,
    schema: {
      summary: 'Run the reconciliation now: list recent station folders for sidecars no confirmation announced',
      tags: ['stations'],
      response: { 200: Type.Object({ sidecars: Type.Integer(), clipsFound: Type.Integer() }), ...errors(401) },
    },
  }, async () => services.scanner.scan());
};

/** Station domain errors as HTTP answers. */
function httpError(err: unknown): never {
  if (err instanceof StationError) throw err.code === 'STATION_EXISTS' ? conflict('CONFLICT', err.message) : notFound(err.message);
  throw err;
}

/** Routes that need the fs driver's URL signer do not exist with STORAGE=s3. */
export function fsOnly(): ApiError {
  return new ApiError(404, 'NOT_FOUND', 'object uploads through the service exist only with STORAGE=fs');
}
