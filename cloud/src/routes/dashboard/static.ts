import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CloudServices } from '../../services.js';

/**
 * The dashboard: static files from cloud/src/ui at `/` (no build step). Until
 * it has an index.html, `/` answers with a pointer to the API description.
 */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  if (existsSync(join(services.uiDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: services.uiDir,
      prefix: '/',
      index: ['index.html'],
      decorateReply: false,
      cacheControl: true,
      maxAge: 0,
      schemaHide: true,
    });
    return;
  }
  app.get('/', {
    schema: { hide: true, response: { 200: Type.Object({ service: Type.String(), docs: Type.String(), status: Type.String() }) } },
  }, async () => ({ service: 'ecosight-cloud', docs: '/docs', status: '/status' }));
};
