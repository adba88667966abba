import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

/**
 * The fastify plugins every route relies on: security headers, rate limits (per
 * route), multipart, and the OpenAPI description at /docs. The dashboard's CSP
 * allows scripts and media from this origin only: no inline scripts.
 */
export async function registerHttpPlugins(app: FastifyInstance, settings: { maxUploadMb: number; version: string }): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        'script-src': ["'self'"],
        'connect-src': ["'self'"],
        // Served over plain HTTP on field networks too: do not force https sub-requests.
        'upgrade-insecure-requests': null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => new ApiError(429, 'RATE_LIMITED', `rate limit: at most ${ctx.max} requests per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
  });
  await app.register(fastifyMultipart, { throwFileSizeLimit: true, limits: { fileSize: Math.round(settings.maxUploadMb * 1024 * 1024), files: 1 } });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'EcoSight cloud API', version: settings.version, description: 'See docs/api.md for the contract in prose.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          stationToken: { type: 'apiKey', in: 'header', name: 'x-station-token' },
        },
      },
    },
  });
  // No CSP of its own: the helmet policy above applies to /docs too (swagger-ui's adds upgrade-insecure-requests and drops form-action).
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: false });
}
