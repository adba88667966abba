import { isoNow } from '#shared/util/clock.js';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { clipContentType, codecOfKey } from '#shared/audio/clip-codec.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { detectionView } from '../../ingest/detection-view.js';
import { labelDocKey } from '#shared/bucket/layout.js';
import type { LabelDoc } from '../../ingest/label-doc.js';
import type { DetectionRecord } from '../../adapters/db/detections-repo.js';
import { getBounded, putJson } from '../../adapters/storage/object-storage.js';
import { spectrogramPng } from '../../predict/spectrogram-image.js';
import type { CloudServices } from '../../services.js';
import { decodeAudioWithin, maxDecodedSamples } from '../../uploads/audio-limits.js';
import { DetectionSchema, errors, PaginationQuery, StationIdSchema } from '../schemas.js';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$' }) });
/** Event ids are unique per station: `?station=` picks the row; without it the id must be unambiguous. */
const StationQuery = Type.Object({ station: Type.Optional(StationIdSchema) });

export const detectionRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { repos, auth, storage } = services;

  const find = async (id: string, station: string | undefined): Promise<DetectionRecord> => {
    const rows = station ? [await repos.detections.get(station, id)].filter((d) => d !== undefined) : await repos.detections.byEventId(id);
    if (rows.length === 0) throw notFound(`no detection ${id}${station ? ` of station ${station}` : ''}`);
    if (rows.length > 1) throw conflict('AMBIGUOUS', `several stations have a detection ${id}: add ?station=<id>`, { stations: rows.map((d) => d.stationId) });
    return rows[0];
  };
  const clipOf = async (id: string, station: string | undefined): Promise<string> => {
    const d = await find(id, station);
    if (!d.clipKey || !d.clipAvailable) throw notFound(`the clip of detection ${id} is not in storage (yet)`);
    return d.clipKey;
  };

  app.get('/api/detections', {
    onRequest: auth.read,
    schema: {
      summary: 'Detections, newest first, with filters',
      tags: ['detections'],
      querystring: Type.Object({
        station: Type.Optional(StationIdSchema),
        label: Type.Optional(Type.String({ maxLength: 64 })),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        reviewed: Type.Optional(Type.Boolean()),
        alert: Type.Optional(Type.Boolean()),
        ...PaginationQuery,
      }),
      response: {
        200: Type.Object({ items: Type.Array(DetectionSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }),
        ...errors(400, 401),
      },
    },
  }, async (request) => {
    const q = request.query;
    const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);
    const { items, total } = await repos.detections.list({
      station: q.station, label: q.label, from: iso(q.from), to: iso(q.to), reviewed: q.reviewed, alert: q.alert, limit: q.limit, offset: q.offset,
    });
    return { items: items.map(detectionView), total, limit: q.limit, offset: q.offset };
  });

  app.get('/api/detections/:id', {
    onRequest: auth.read,
    schema: { summary: 'One detection', tags: ['detections'], params: IdParams, querystring: StationQuery, response: { 200: DetectionSchema, ...errors(401, 404, 409) } },
  }, async (request) => detectionView(await find(request.params.id, request.query.station)));

  app.get('/api/detections/:id/audio', {
    onRequest: auth.read,
    schema: { summary: 'The clip as the station encoded it (audio/wav, audio/flac or audio/ogg)', tags: ['detections'], params: IdParams, querystring: StationQuery, response: { 200: Type.Any({ description: 'audio bytes' }), ...errors(401, 404, 409) } },
  }, async (request, reply) => {
    const key = await clipOf(request.params.id, request.query.station);
    const { stream, bytes } = await storage.getStream(key);
    // Browsers play all three natively; the type comes from the key the station chose.
    reply.header('content-type', clipContentType(codecOfKey(key) ?? 'wav')).header('cache-control', 'private, max-age=3600');
    if (bytes) reply.header('content-length', bytes);
    return reply.send(stream);
  });

  app.get('/api/detections/:id/spectrogram.png', {
    onRequest: auth.read,
    schema: { summary: 'Log-mel spectrogram of the clip (PNG)', tags: ['detections'], params: IdParams, querystring: StationQuery, response: { 200: Type.Any({ description: 'PNG bytes' }), ...errors(400, 401, 404, 409, 413) } },
  }, async (request, reply) => {
    const model = await services.currentModel.get();
    const fe = model.pkg.metadata.frontEnd;
    // Clips come from stations: read no more than an upload may hold, whatever the object's size.
    const clip = await getBounded(storage, await clipOf(request.params.id, request.query.station), Math.round(services.config.maxUploadMb * 1024 * 1024));
    // Clips come from stations: one that decodes to more than an upload may hold is not rendered.
    const audio = await decodeAudioWithin(clip, fe.sampleRateHz, maxDecodedSamples(services.config.maxUploadMb));
    reply.header('content-type', 'image/png').header('cache-control', 'private, max-age=3600');
    return reply.send(spectrogramPng(audio.samples, fe));
  });

  app.patch('/api/detections/:id', {
    onRequest: auth.admin,
    schema: {
      summary: 'Confirm or correct the label; the clip becomes training data',
      tags: ['detections'],
      params: IdParams,
      querystring: StationQuery,
      body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
      response: { 200: DetectionSchema, ...errors(400, 401, 404, 409) },
    },
  }, async (request) => {
    const d = await find(request.params.id, request.query.station);
    const { label } = request.body;
    const classes = (await services.currentModel.get()).pkg.classNames;
    if (!classes.includes(label)) throw badRequest('UNKNOWN_CLASS', `label ${JSON.stringify(label)} is not one of: ${classes.join(', ')}`);
    if (!d.clipKey || !d.clipAvailable) throw conflict('CONFLICT', `the clip of detection ${d.id} is not in storage yet, so it cannot become training data`);
    const reviewedAt = isoNow(services.clock);
    const doc: LabelDoc = { v: 1, eventId: d.id, stationId: d.stationId, clipKey: d.clipKey, label, detectedLabel: d.label, reviewedAt };
    // Storage first: the label survives even if the index is lost right after.
    await putJson(storage, labelDocKey(d.stationId, d.id), doc);
    const updated = (await repos.detections.setReview(d.stationId, d.id, label, reviewedAt)) as DetectionRecord;
    const view = detectionView(updated);
    services.live.publish('detection', view);
    return view;
  });
};
