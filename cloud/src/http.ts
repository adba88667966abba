import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { trustProxySetting } from '#shared/config/cloud-config.js';
import { httpLogSerializers } from './plugins/log-redaction.js';
import { registerHttpPlugins } from './plugins/http-plugins.js';
import { detectionRoutes } from './routes/api/detections.js';
import { incidentRoutes } from './routes/api/incidents.js';
import { liveRoutes } from './routes/api/live.js';
import { loggingRoutes } from './routes/api/logging.js';
import { modelRoutes } from './routes/api/models.js';
import { objectRoutes } from './routes/api/objects.js';
import { predictRoutes } from './routes/api/predict.js';
import { retrainRoutes } from './routes/api/retrain.js';
import { stationRoutes } from './routes/api/stations.js';
import { uploadConfirmRoutes } from './routes/api/upload-confirm.js';
import { uploadRoutes } from './routes/api/uploads.js';
import { dashboardRoutes } from './routes/dashboard/static.js';
import { installErrorHandler } from './routes/error-handler.js';
import { installSseRegistry } from './routes/sse.js';
import { statusRoutes } from './routes/status.js';
import type { CloudServices } from './services.js';

export interface HttpSettings {
  /**
   * Time a client has to send a whole request, headers and body (default 5
   * minutes, Node's own default, which fastify turns off). Without it a client
   * that stops sending halfway holds its connection and parser forever.
   * Responses are not limited: event streams stay open.
   */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60_000;

/** Trust exactly `hops` proxies (the address each one appended), or the listed addresses. */
function fastifyTrustProxy(setting: false | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/** Registers plugins and routes over ready services (tests drive it with inject). */
export async function buildApp(services: CloudServices, http: HttpSettings = {}): Promise<FastifyInstance> {
  const { config, logger } = services;
  const requestTimeoutMs = http.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    requestTimeout: requestTimeoutMs,
    // Node 20 only honours the timeout given when the server is created (fastify sets it afterwards),
    // and looks for timed-out requests every connectionsCheckingInterval (default 30 s).
    http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4))) },
    // Credentials in URLs and headers never reach request logs (see log-redaction.ts).
    loggerInstance: logger.child({}, { serializers: httpLogSerializers }),
    // Behind Render's proxy every client would share one address (and one rate limit) without this.
    trustProxy: fastifyTrustProxy(trustProxySetting(config.trustProxy)),
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', (route) => {
    // Presigned URLs carry their signature in the query: keep it out of request logs.
    if (route.url.startsWith('/api/objects')) route.logLevel = 'warn';
  });
  installErrorHandler(app as unknown as FastifyInstance);
  installSseRegistry(app as unknown as FastifyInstance);
  await registerHttpPlugins(app as unknown as FastifyInstance, { maxUploadMb: config.maxUploadMb, version: services.version });
  const opts = { services };
  await app.register(statusRoutes, opts);
  await app.register(uploadRoutes, opts);
  await app.register(predictRoutes, opts);
  await app.register(stationRoutes, opts);
  await app.register(uploadConfirmRoutes, opts);
  await app.register(objectRoutes, opts);
  await app.register(detectionRoutes, opts);
  await app.register(retrainRoutes, opts);
  await app.register(modelRoutes, opts);
  await app.register(incidentRoutes, opts);
  await app.register(liveRoutes, opts);
  await app.register(loggingRoutes, opts);
  await app.register(dashboardRoutes, opts);
  await app.ready();
  logger.debug({ routes: app.printRoutes({ commonPrefix: false }).split('\n').length }, 'routes registered');
  return app as unknown as FastifyInstance;
}
