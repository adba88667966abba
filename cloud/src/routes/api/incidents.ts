import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../errors.js';
import type { CloudServices } from '../../services.js';
import { errors, PaginationQuery } from '../schemas.js';
import { IncidentSchema } from './incident-schema.js';

/** GET /api/incidents: alerts corroborated (or not) across stations, with the shooter's estimated position. */
export const incidentRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { auth, incidents } = services;

  app.get('/api/incidents', {
    onRequest: auth.read,
    schema: {
      summary: 'Incidents, newest first',
      tags: ['incidents'],
      querystring: Type.Object({
        corroboration: Type.Optional(Type.Union([Type.Literal('corroborated'), Type.Literal('uncorroborated'), Type.Literal('single-unknown')])),
        ...PaginationQuery,
      }),
      response: { 200: Type.Object({ items: Type.Array(IncidentSchema), total: Type.Integer() }), ...errors(400, 401) },
    },
  }, async (request) => {
    const q = request.query;
    const all = incidents.list().filter((i) => !q.corroboration || i.corroboration === q.corroboration);
    return { items: all.slice(q.offset, q.offset + q.limit), total: all.length };
  });

  app.get('/api/incidents/:id', {
    onRequest: auth.read,
    schema: {
      summary: 'One incident',
      tags: ['incidents'],
      params: Type.Object({ id: Type.String({ maxLength: 160 }) }),
      response: { 200: IncidentSchema, ...errors(401, 404) },
    },
  }, async (request) => {
    const incident = incidents.get(request.params.id);
    if (!incident) throw notFound(`no incident ${request.params.id}`);
    return incident;
  });
};
