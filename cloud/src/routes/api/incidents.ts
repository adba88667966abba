import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sidecarKeyFor } from '#shared/bucket/layout.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { notFound } from '../../errors.js';
import { getJson } from '../../adapters/storage/object-storage.js';
import type { CloudServices } from '../../services.js';
import { errors, PaginationQuery } from '../schemas.js';
import { IncidentSchema } from './incident-schema.js';

/** GET /api/incidents: alerts corroborated (or not) across stations, with the shooter's estimated position. */
export const incidentRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { auth, incidents } = services;
  // (services.repos and services.storage serve the clips route)

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

  app.get('/api/incidents/:id/clips', {
    onRequest: auth.read,
    schema: {
      summary: 'The clip of each station in an incident, with where its onset falls (to play or draw them aligned)',
      tags: ['incidents'],
      params: Type.Object({ id: Type.String({ maxLength: 160 }) }),
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({
            stationId: Type.String(),
            eventId: Type.String(),
            audioUrl: Type.Union([Type.String(), Type.Null()]),
            spectrogramUrl: Type.Union([Type.String(), Type.Null()]),
            durationSec: Type.Union([Type.Number(), Type.Null()]),
            onsetOffsetSec: Type.Union([Type.Number({ description: 'where the station\'s onset is in its clip, s' }), Type.Null()]),
          })),
        }),
        ...errors(401, 404),
      },
    },
  }, async (request) => {
    const incident = incidents.get(request.params.id);
    if (!incident) throw notFound(`no incident ${request.params.id}`);
    const items = await Promise.all(incident.stations.map(async (s) => {
      const d = await services.repos.detections.get(s.stationId, s.eventId);
      const base = `/api/detections/${encodeURIComponent(s.eventId)}`;
      // Event ids are unique per station only: the station picks the row.
      const station = `?station=${encodeURIComponent(s.stationId)}`;
      const available = d?.clipAvailable === true && d.clipKey !== null;
      // The clip's start time is in its sidecar (the index does not keep it).
      const sidecar = available ? await getJson<ClipSidecar>(services.storage, sidecarKeyFor(d.clipKey as string)).catch(() => undefined) : undefined;
      const clipStartMs = sidecar ? Date.parse(sidecar.clipStartTime) : NaN;
      return {
        stationId: s.stationId, eventId: s.eventId,
        audioUrl: available ? `${base}/audio${station}` : null, spectrogramUrl: available ? `${base}/spectrogram.png${station}` : null,
        durationSec: sidecar?.durationSec ?? null,
        onsetOffsetSec: Number.isFinite(clipStartMs) ? Math.round(s.onsetMs - clipStartMs) / 1000 : null,
      };
    }));
    return { items };
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
