import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiError, badRequest } from '../../errors.js';
import { GateFullError } from '../../predict/predict-gate.js';
import { predictSamples } from '../../predict/predict.js';
import type { CloudServices } from '../../services.js';
import { decodeAudioWithin, maxDecodedSamples } from '../../uploads/audio-limits.js';
import { errors } from '../schemas.js';
import { readMultipart, rejectDeclaredOversize } from './multipart.js';

const Scores = Type.Record(Type.String(), Type.Number());

export const predictRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { config } = services;
  // /predict has its own cap (MAX_PREDICT_SEC), separate from training uploads: at most
  // that much audio at 48 kHz, 16-bit stereo, and never more than an upload.
  const maxFileBytes = Math.min(Math.round(config.maxUploadMb * 1024 * 1024), Math.round(config.maxPredictSec * 48_000 * 4) + 64 * 1024);
  const gate = services.predictGate;

  app.post('/predict', {
    onRequest: [services.auth.read, async (request) => rejectDeclaredOversize(request, maxFileBytes + 64 * 1024)],
    config: { rateLimit: { max: services.config.uploadsPerMinute, timeWindow: 60_000 } },
    schema: {
      summary: 'Run the station pipeline on a WAV, FLAC or Ogg Opus file (multipart field "file")',
      tags: ['predict'],
      consumes: ['multipart/form-data'],
      response: {
        200: Type.Object({
          modelVersion: Type.String(),
          durationSec: Type.Number(),
          windowSec: Type.Number(),
          hopSec: Type.Number(),
          classes: Type.Array(Type.String()),
          thresholds: Scores,
          scores: Scores,
          windows: Type.Array(Type.Object({ startSec: Type.Number(), endSec: Type.Number(), scores: Scores })),
          detections: Type.Array(Type.Object({
            label: Type.String(), confidence: Type.Number(), startSec: Type.Number(), endSec: Type.Number(),
            peakSec: Type.Number(), windowCount: Type.Integer(),
          })),
        }),
        ...errors(400, 401, 413, 429, 503),
      },
    },
  }, async (request, reply) => {
    // The body is read only once a slot is ours: waiting requests hold a socket, not their audio.
    const work = async () => {
      const form = await readMultipart(request, 'file', maxFileBytes);
      if (!form.file) throw badRequest('VALIDATION', 'the "file" field is required');
      const model = await services.currentModel.get();
      const rateHz = model.pkg.metadata.frontEnd.sampleRateHz;
      // Decoded once here with the length bound (413 past it), then analysed.
      const maxSamples = Math.min(maxDecodedSamples(config.maxUploadMb), Math.round(config.maxPredictSec * rateHz));
      const audio = await decodeAudioWithin(form.file.bytes, rateHz, maxSamples);
      return predictSamples(model.pkg, audio.samples, audio.durationSec);
    };
    try {
      return await gate.run(work);
    } catch (err) {
      if (!(err instanceof GateFullError)) throw err;
      reply.header('retry-after', String(err.retryAfterSec));
      throw new ApiError(503, 'BUSY', err.message);
    }
  });
};
