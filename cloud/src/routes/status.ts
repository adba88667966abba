import { isoNow } from '#shared/util/clock.js';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { describeError } from '#shared/errors.js';
import type { CloudServices } from '../services.js';

const STORAGE_PING_TIMEOUT_MS = 2_000;
const STORAGE_PING_CACHE_MS = 5_000;

/**
 * GET /status: the Render health check. Always 200 and fast: the storage ping is
 * bounded and cached, the broker state is read, not probed.
 */
export const statusRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  let cached: { at: number; ok: boolean; error?: string } | undefined;
  const storageState = async () => {
    if (cached && Date.now() - cached.at < STORAGE_PING_CACHE_MS) return cached;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        services.storage.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${STORAGE_PING_TIMEOUT_MS} ms`)), STORAGE_PING_TIMEOUT_MS);
        }),
      ]);
      cached = { at: Date.now(), ok: true };
    } catch (err) {
      cached = { at: Date.now(), ok: false, error: describeError(err) };
    } finally {
      clearTimeout(timer);
    }
    return cached;
  };

  app.get('/status', {
    schema: {
      summary: 'Health: versions, storage and broker reachability (always 200)',
      tags: ['health'],
      response: {
        200: Type.Object({
          status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
          service: Type.String(),
          version: Type.String(),
          modelVersion: Type.Union([Type.String(), Type.Null()]),
          modelSource: Type.String(),
          weakClasses: Type.Record(Type.String(), Type.String(), {
            description: "classes the serving model should not be trusted on, with the reason (model metadata weakClasses: no real data, synthetic-only, low validation F1)",
          }),
          latestRelease: Type.Union([Type.String(), Type.Null()]),
          storage: Type.Object({ driver: Type.String(), ok: Type.Boolean(), error: Type.Optional(Type.String()) }),
          broker: Type.Object({ configured: Type.Boolean(), connected: Type.Boolean(), ingesting: Type.Boolean({ description: 'this instance holds the station-topic subscription (it leads the ingest)' }) }),
          publishing: Type.Object({
            enabled: Type.Boolean(),
            signer: Type.Union([Type.Literal('this process'), Type.Literal('worker'), Type.Literal('none')], { description: 'who holds MODEL_SIGNING_KEY' }),
            reason: Type.Optional(Type.String()),
          }),
          jobRunner: Type.String(),
          uptimeSec: Type.Number(),
          time: Type.String(),
        }),
      },
    },
  }, async () => {
    const storage = await storageState();
    const model = services.currentModel.peek();
    const reason = services.publisher.disabledReason;
    return {
      status: storage.ok ? 'ok' as const : 'degraded' as const,
      service: 'ecosight-cloud',
      version: services.version,
      modelVersion: model?.version ?? null,
      modelSource: model?.source ?? 'none',
      weakClasses: model?.pkg.metadata.weakClasses ?? {},
      latestRelease: (await services.repos.releases.latest()) ?? null,
      storage: { driver: services.storage.driver, ok: storage.ok, ...(storage.error ? { error: storage.error } : {}) },
      broker: { configured: services.mqtt !== undefined, connected: services.mqtt?.connected ?? false, ingesting: services.ingestLink?.subscribed ?? false },
      publishing: { enabled: reason === undefined, signer: services.publisher.signer, ...(reason ? { reason } : {}) },
      jobRunner: services.config.jobRunner,
      uptimeSec: Math.round((Date.now() - services.startedAt.getTime()) / 100) / 10,
      time: isoNow(services.clock),
    };
  });
};
