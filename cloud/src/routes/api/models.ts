import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canonicalJson, sha256Hex } from '#shared/manifest/canonical-json.js';
import { releaseKey } from '#shared/release/layout.js';
import { MANIFEST_FILE } from '#shared/release/manifest.js';
import { ReleaseAnnouncementSchema, type ReleaseAnnouncement } from '#shared/release/pointer.js';
import type { ReleaseRecord } from '#shared/release/record.js';
import { RELEASE_ROUTES } from '#shared/release/urls.js';
import { ReleaseVersionSchema } from '#shared/release/version.js';
import { notFound } from '../../errors.js';
import { contentTypeFor } from '../../adapters/storage/object-keys.js';
import { baseUrlOf, type CloudServices } from '../../services.js';
import { errors, ReleaseSchema } from '../schemas.js';

const VersionParams = Type.Object({ version: ReleaseVersionSchema });

export const modelRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { auth, repos, storage } = services;
  const view = (r: ReleaseRecord, latest: string | undefined) => ({ ...r, current: latest === r.version });

  app.get(RELEASE_ROUTES.list, {
    onRequest: auth.read,
    schema: {
      summary: 'Model versions (published and rejected) with metrics, newest first',
      tags: ['models'],
      response: { 200: Type.Object({ items: Type.Array(ReleaseSchema), latest: Type.Union([Type.String(), Type.Null()]) }), ...errors(401) },
    },
  }, async () => {
    const latest = await repos.releases.latest();
    return { items: (await repos.releases.list()).map((r) => view(r, latest)), latest: latest ?? null };
  });

  app.get(RELEASE_ROUTES.latest, {
    onRequest: auth.readModels,
    schema: {
      summary: 'The release stations should run (ETag; 304 on If-None-Match)',
      tags: ['models'],
      response: {
        200: ReleaseAnnouncementSchema,
        304: Type.Null(),
        ...errors(401, 404),
      },
    },
  }, async (request, reply) => {
    const version = await repos.releases.latest();
    const record = version ? await repos.releases.get(version) : undefined;
    if (!record) throw notFound('no model release has been published yet');
    const body: ReleaseAnnouncement = {
      v: 1,
      version: record.version,
      manifestUrl: services.publisher.manifestUrl(record.version, baseUrlOf(services.config, request)),
      createdAt: record.createdAt,
    };
    const etag = `"${sha256Hex(canonicalJson(body)).slice(0, 32)}"`;
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
    return body;
  });

  app.get(RELEASE_ROUTES.one, {
    onRequest: auth.read,
    schema: { summary: 'One model version with its report', tags: ['models'], params: VersionParams, response: { 200: ReleaseSchema, ...errors(401, 404) } },
  }, async (request) => {
    const record = await repos.releases.get(request.params.version);
    if (!record) throw notFound(`no model version ${request.params.version}`);
    return view(record, await repos.releases.latest());
  });

  app.get(RELEASE_ROUTES.file, {
    onRequest: auth.readModels,
    schema: {
      summary: 'A file of a published release (only files its manifest lists, and the manifest)',
      tags: ['models'],
      params: Type.Object({ version: VersionParams.properties.version, '*': Type.String({ maxLength: 200 }) }),
      response: { 200: Type.Any({ description: 'file bytes' }), ...errors(401, 404) },
    },
  }, async (request, reply) => {
    const { version, '*': file } = request.params;
    const record = await repos.releases.get(version);
    if (!record || record.status !== 'published') throw notFound(`no published release ${version}`);
    const entry = record.files.find((f) => f.path === file);
    if (file !== MANIFEST_FILE && !entry) throw notFound(`release ${version} has no file ${JSON.stringify(file)}`);
    const { stream, bytes } = await storage.getStream(releaseKey(version, file));
    reply.header('content-type', contentTypeFor(file)).header('cache-control', 'public, max-age=31536000, immutable');
    if (entry) reply.header('etag', `"${entry.sha256}"`);
    if (bytes) reply.header('content-length', bytes);
    return reply.send(stream);
  });
};

/** If-None-Match may list several tags or `*`; weak forms compare equal for GET. */
function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const values = (Array.isArray(header) ? header.join(',') : header).split(',').map((v) => v.trim().replace(/^W\//, ''));
  return values.includes('*') || values.includes(etag);
}
