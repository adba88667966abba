import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CloudServices } from '../../services.js';
import { errors, PaginationQuery } from '../schemas.js';
import { readMultipart, rejectDeclaredOversize } from './multipart.js';

/** Room for multipart framing and the class field on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export const uploadRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const maxFileBytes = Math.round(services.config.maxUploadMb * 1024 * 1024);
  const rateLimit = { max: services.config.uploadsPerMinute, timeWindow: 60_000 };

  app.post('/upload', {
    onRequest: [services.auth.admin, async (request) => rejectDeclaredOversize(request, maxFileBytes + FORM_OVERHEAD_BYTES)],
    config: { rateLimit },
    schema: {
      summary: 'Upload a labelled WAV original (multipart fields "class" and "file")',
      description: `multipart/form-data: \`class\` (one of GET /api/classes) and \`file\` (WAV, at most MAX_UPLOAD_MB). Stored as extracted_audio/<class>/<YYYYMMDD_HHMMSS>_<name>.wav. Admin key required.`,
      tags: ['uploads'],
      consumes: ['multipart/form-data'],
      response: {
        200: Type.Object({
          success: Type.Literal(true),
          message: Type.String(),
          file_path: Type.String(),
          class: Type.String(),
          s3_uploaded: Type.Boolean(),
          timestamp: Type.String(),
        }),
        ...errors(400, 401, 413, 429),
      },
    },
  }, async (request) => {
    const form = await readMultipart(request, 'file', maxFileBytes);
    return services.uploads.store({ className: form.fields.class, fileName: form.file?.fileName, bytes: form.file?.bytes });
  });

  app.get('/api/uploads', {
    onRequest: services.auth.read,
    schema: {
      summary: 'Uploaded originals, newest first',
      tags: ['uploads'],
      querystring: Type.Object({ class: Type.Optional(Type.String({ maxLength: 64 })), ...PaginationQuery }),
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({ key: Type.String(), class: Type.String(), name: Type.String(), bytes: Type.Integer(), createdAt: Type.String() })),
          total: Type.Integer(),
          limit: Type.Integer(),
          offset: Type.Integer(),
        }),
        ...errors(401),
      },
    },
  }, async (request) => {
    const { class: cls, limit, offset } = request.query;
    return { ...(await services.repos.uploads.list({ class: cls, limit, offset })), limit, offset };
  });

  app.get('/api/classes', {
    onRequest: services.auth.read,
    schema: {
      summary: 'Classes uploads and reviews may use (the current model\'s)',
      tags: ['uploads'],
      response: { 200: Type.Object({ classes: Type.Array(Type.String()), modelVersion: Type.String() }), ...errors(401) },
    },
  }, async () => {
    const model = await services.currentModel.get();
    return { classes: model.pkg.classNames, modelVersion: model.version };
  });
};
