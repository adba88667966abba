import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError, conflict, forbidden, notFound } from '../../errors.js';
import { newStationToken, sha256Token } from '../../plugins/auth.js';
import type { StationRegistration } from '../../plugins/db/stations-repo.js';
import { assertSafeKey } from '../../plugins/storage/object-keys.js';
import { putJson } from '../../plugins/storage/object-storage.js';
import { baseUrlOf, type CloudServices } from '../../services.js';
import { errors, StationIdSchema, StationSchema } from '../schemas.js';

export const PRESIGN_EXPIRES_SEC = 15 * 60;
export const stationDocKey = (id: string) => `stations/${id}/station.json`;

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
    const { id, name } = request.body;
    if (repos.stations.tokenHash(id) || (await storage.head(stationDocKey(id)))) {
      throw conflict('CONFLICT', `station ${id} is already registered`);
    }
    const token = newStationToken();
    const reg: StationRegistration = { v: 1, id, name: name ?? id, tokenSha256: sha256Token(token), createdAt: services.clock.now().toISOString() };
    await putJson(storage, stationDocKey(id), reg);
    if (!repos.stations.register(reg)) throw conflict('CONFLICT', `station ${id} is already registered`);
    request.log.info({ station: id }, 'station registered');
    reply.code(201);
    return { id, token };
  });

  app.get('/api/stations', {
    onRequest: auth.read,
    schema: { summary: 'Stations with their health', tags: ['stations'], response: { 200: Type.Object({ items: Type.Array(StationSchema) }), ...errors(401) } },
  }, async () => ({ items: repos.stations.list() }));

  app.post('/api/stations/:id/presign', {
    onRequest: auth.station,
    schema: {
      summary: 'Presigned PUT URLs for keys under stations/<id>/',
      tags: ['stations'],
      params: Type.Object({ id: StationIdSchema }),
      body: Type.Object({ keys: Type.Array(Type.String({ maxLength: 512 }), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          urls: Type.Array(Type.Object({
            key: Type.String(), url: Type.String(), method: Type.Literal('PUT'),
            headers: Type.Record(Type.String(), Type.String()), expiresAt: Type.String(),
          })),
        }),
        ...errors(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const { id } = request.params;
    if (!repos.stations.get(id)) throw notFound(`station ${id} is not registered`);
    const prefix = `stations/${id}/`;
    for (const key of request.body.keys) {
      assertSafeKey(key);
      if (!key.startsWith(prefix)) throw forbidden(`key ${key} is outside ${prefix}`);
      if (key === stationDocKey(id)) throw forbidden(`${key} is reserved for the service`);
    }
    const serviceBaseUrl = baseUrlOf(services.config, request);
    const urls = [];
    for (const key of request.body.keys) urls.push(await storage.presignPut(key, { expiresSec: PRESIGN_EXPIRES_SEC, serviceBaseUrl }));
    return { urls };
  });

  app.post('/api/scan', {
    onRequest: auth.admin,
    schema: {
      summary: 'Look for new clip sidecars in storage now',
      tags: ['stations'],
      response: { 200: Type.Object({ sidecars: Type.Integer(), clipsFound: Type.Integer() }), ...errors(401) },
    },
  }, async () => services.scanner.scan());
};

/** Routes that need the fs driver's URL signer do not exist with STORAGE=s3. */
export function fsOnly(): ApiError {
  return new ApiError(404, 'NOT_FOUND', 'object uploads through the service exist only with STORAGE=fs');
}
