import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CloudServices } from '../../services.js';
import { errors } from '../schemas.js';
import { openSse } from '../sse.js';

/** GET /api/live: detections, alerts, station health, jobs and models as they happen. */
export const liveRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  app.get('/api/live', {
    onRequest: services.auth.read,
    schema: {
      summary: 'Server-sent events: detection, alert, station, job, model, incident',
      tags: ['live'],
      response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(401) },
    },
  }, async (request, reply) => {
    const sse = openSse(request, reply);
    const unsubscribe = services.live.subscribe((e) => sse.send(e.event, e.data));
    await sse.closed;
    unsubscribe();
  });
};
