import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../errors.js';
import { isActive, type JobLogLine, type JobStatus } from '../../jobs/job-status.js';
import type { CloudServices } from '../../services.js';
import { errors, JobSchema } from '../schemas.js';
import { openSse } from '../sse.js';

const JobIdParams = Type.Object({ id: Type.String({ pattern: '^job-[A-Za-z0-9-]{1,60}$' }) });
/** How often a job stream re-reads storage (a worker elsewhere writes there). */
const JOB_POLL_MS = 1_000;

export const retrainRoutes: FastifyPluginAsyncTypebox<{ services: CloudServices }> = async (app, { services }) => {
  const { auth, jobStore } = services;

  app.post('/retrain', {
    onRequest: auth.admin,
    // The seed's clients may send no body at all: treat it as {}.
    preValidation: async (request) => {
      request.body ??= {};
    },
    schema: {
      summary: 'Start a retrain job (one at a time)',
      tags: ['retrain'],
      body: Type.Object({
        min_samples: Type.Optional(Type.Integer({ minimum: 0, description: 'default MIN_NEW_SAMPLES' })),
        mode: Type.Optional(Type.Union([Type.Literal('head'), Type.Literal('full')], { default: 'head' })),
        seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'seeds the split and the training (default: from the job id); the same seed on the same data reproduces a candidate' })),
      }, { additionalProperties: false }),
      response: {
        202: Type.Object({ success: Type.Literal(true), job_id: Type.String(), status: Type.String(), message: Type.String() }),
        ...errors(400, 401, 409, 503),
      },
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const status = await services.retrain.start({
      minSamples: body.min_samples ?? services.config.minNewSamples, mode: body.mode ?? 'head', ...(body.seed !== undefined ? { seed: body.seed } : {}),
    });
    reply.code(202);
    return { success: true as const, job_id: status.id, status: status.state, message: `retrain job ${status.id} ${status.state}` };
  });

  app.get('/api/jobs', {
    onRequest: auth.read,
    schema: { summary: 'Recent jobs, newest first', tags: ['retrain'], response: { 200: Type.Object({ items: Type.Array(JobSchema) }), ...errors(401) } },
  }, async () => {
    await jobStore.active(); // refreshes jobs a worker elsewhere may have moved on
    return { items: await services.repos.jobs.list(50) };
  });

  app.get('/api/jobs/:id', {
    onRequest: auth.read,
    schema: { summary: 'One job with its progress and log', tags: ['retrain'], params: JobIdParams, response: { 200: JobSchema, ...errors(401, 404) } },
  }, async (request) => {
    const status = await jobStore.read(request.params.id);
    if (!status) throw notFound(`no job ${request.params.id}`);
    return status;
  });

  app.get('/api/jobs/:id/events', {
    onRequest: auth.read,
    schema: {
      summary: 'Server-sent events: status, log, end',
      tags: ['retrain'],
      params: JobIdParams,
      response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(401, 404) },
    },
  }, async (request, reply) => {
    const first = await jobStore.read(request.params.id);
    if (!first) throw notFound(`no job ${request.params.id}`);
    const sse = openSse(request, reply);
    let lastSeq = -1;
    let lastLine: JobLogLine | undefined;
    const emit = (s: JobStatus) => {
      if (s.seq <= lastSeq) return;
      lastSeq = s.seq;
      for (const line of newLines(s.log, lastLine)) sse.send('log', line);
      lastLine = s.log.at(-1) ?? lastLine;
      const { log: _log, ...summary } = s;
      sse.send('status', summary);
      if (!isActive(s)) {
        sse.send('end', s);
        sse.close();
      }
    };
    const unwatch = jobStore.watch(first.id, emit);
    const poll = setInterval(() => {
      jobStore.read(first.id).then((s) => s && emit(s), () => undefined);
    }, JOB_POLL_MS);
    emit(first);
    await sse.closed;
    clearInterval(poll);
    unwatch();
  });
};

/** Lines after `last` (log is append-only, trimmed at the front). */
function newLines(log: JobLogLine[], last: JobLogLine | undefined): JobLogLine[] {
  if (!last) return log;
  for (let i = log.length - 1; i >= 0; i--) {
    if (log[i].time === last.time && log[i].message === last.message) return log.slice(i + 1);
  }
  return log;
}
