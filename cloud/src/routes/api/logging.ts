import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CloudServices } from '../../services.js';
import { errors } from '../schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const LoggingAlertSchema = Type.Object({
  alertId: Type.String(),
  stationId: Type.String(),
  label: Type.String(),
  state: Type.Union([Type.Literal('active'), Type.Literal('ended')]),
  startTime: Type.String(),
  lastHeardTime: Type.String(),
  durationSec: Type.Number(),
  presentSec: Type.Number(),
  peakConfidence: Type.Number(),
  meanConfidence: Type.Number(),
  onsetClipKey: Nullable(Type.String()),
  onsetEventId: Nullable(Type.String()),
  modelVersion: Nullable(Type.String()),
  caveat: Nullable(Type.String({ description: "the model's caveat for the class (metadata weakClasses), e.g. trained on synthetic audio only" })),
  raisedAt: Type.String(),
  delayed: Type.Boolean(),
  updatedAt: Type.String(),
});

/** GET /api/logging: logging alerts (sustained chainsaw), newest first. */
export const loggingRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  app.get('/api/logging', {
    onRequest: services.auth.read,
    schema: {
      summary: 'Logging alerts (a class, chainsaw by default, present for most of a span), newest first',
      tags: ['detections'],
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
      response: { 200: Type.Object({ items: Type.Array(LoggingAlertSchema) }), ...errors(401) },
    },
  }, async (request) => ({ items: await services.repos.logging.list(request.query.limit) }));
};
