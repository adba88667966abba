import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { stationUploadKeyProblem } from '#shared/bucket/layout.js';
import { isoNow } from '#shared/util/clock.js';
import { badRequest, forbidden, notFound } from '../../errors.js';
import { assertSafeKey } from '../../adapters/storage/object-keys.js';
import type { CloudServices } from '../../services.js';
import { errors, StationIdSchema } from '../schemas.js';

/** Objects one confirmation may name: a clip and its sidecar, a few clips at most. */
export const MAX_CONFIRM_OBJECTS = 20;

const ConfirmedObjectSchema = Type.Object({
  key: Type.String({ maxLength: 512 }),
  bytes: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the uploaded bytes, lower-case hex' }),
}, { additionalProperties: false });

const ConfirmResultSchema = Type.Object({
  key: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('missing'), Type.Literal('mismatch'), Type.Literal('invalid')]),
  detail: Type.Optional(Type.String()),
  eventId: Type.Optional(Type.String()),
});

/**
 * POST /api/stations/:id/uploads/confirm: a station says which objects it has
 * uploaded; the service checks exactly those and indexes them, so the bucket
 * need not be listed to find them (docs/costs.md).
 */
export const uploadConfirmRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { repos, confirmer, clock } = services;
  app.post('/api/stations/:id/uploads/confirm', {
    onRequest: services.auth.station,
    // Each confirmation costs storage requests: a budget per station, like presigning.
    config: {
      rateLimit: {
        max: services.config.uploadsPerMinute,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => `confirm:${(request.params as { id?: string }).id ?? ''}`,
      },
    },
    schema: {
      summary: "Confirm uploaded objects (a clip and its sidecar) under the station's prefix: checked (HEAD / read) and indexed at once",
      tags: ['stations'],
      params: Type.Object({ id: StationIdSchema }),
      body: Type.Object({ objects: Type.Array(ConfirmedObjectSchema, { minItems: 1, maxItems: MAX_CONFIRM_OBJECTS }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ results: Type.Array(ConfirmResultSchema) }), ...errors(400, 401, 403, 404, 429) },
    },
  }, async (request) => {
    const { id } = request.params;
    if (!(await repos.stations.get(id))) throw notFound(`station ${id} is not registered`);
    const { objects } = request.body;
    for (const { key } of objects) {
      assertSafeKey(key);
      const problem = stationUploadKeyProblem(id, key);
      if (problem?.kind === 'foreign') throw forbidden(problem.message);
      if (problem) throw badRequest('UNSAFE_KEY', problem.message);
    }
    if (new Set(objects.map((o) => o.key)).size !== objects.length) throw badRequest('VALIDATION', 'a key is named twice');
    const results = await confirmer.confirm(objects, isoNow(clock));
    const failed = results.filter((r) => r.status !== 'ok');
    if (failed.length > 0) request.log.warn({ station: id, failed }, 'upload confirmation found objects not as confirmed');
    return { results };
  });
};
