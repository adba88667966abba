import { hostname } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CloudConfig } from '#shared/config/cloud-config.js';
import { initBackend } from '#shared/model/backend.js';
import { loadModelPackage, repositoryRoot, shippedModelDir } from '#shared/model/model-package.js';
import { packageVersion } from '#shared/util/package-version.js';
import { encodePayload } from '#shared/mqtt/payloads.js';
import { incidentsTopic, modelAnnounceTopic, type StationTopicKind } from '#shared/mqtt/topics.js';
import { createS3Client } from '#shared/s3/client.js';
import type { Logger } from '#shared/util/logger.js';
import { describeError } from '#shared/errors.js';
import { systemClock, type Clock } from './clock.js';
import { DEFAULT_CORRELATOR_OPTIONS, IncidentCorrelator } from './incidents/correlator.js';
import { IncidentService } from './incidents/incident-service.js';
import { StationRegistry } from './incidents/station-registry.js';
import { Ingestor } from './ingest/ingestor.js';
import { rebuildIndex, type ReindexCounts } from './ingest/reindex.js';
import { SidecarScanner } from './ingest/sidecar-scanner.js';
import { JobRunner } from './jobs/job-runner.js';
import type { JobStatus } from './jobs/job-status.js';
import { JobStore } from './jobs/job-store.js';
import { RetrainService } from './jobs/retrain-service.js';
import { sharedAugmenter } from './jobs/retrain/augment-adapter.js';
import { sharedEvaluator } from './jobs/retrain/evaluate-adapter.js';
import { DEFAULT_RETRAIN_TRAINING, sharedTrainer, type RetrainTrainingSettings } from './jobs/retrain/train-adapter.js';
import type { Augmenter, Evaluator, Trainer } from './jobs/retrain/ports.js';
import { runRetrain } from './jobs/retrain/retrain-job.js';
import { publishShippedIfNone } from './models/bootstrap.js';
import { CurrentModel } from './models/current-model.js';
import { ReleasePublisher } from './models/publisher.js';
import { syncReleases } from './models/release-sync.js';
import { signingSetup } from './models/signing-role.js';
import { createAuthGuards } from './plugins/auth.js';
import { registerHttpPlugins } from './plugins/http-plugins.js';
import { LoggingRepo } from './plugins/db/logging-repo.js';
import { loggingRoutes } from './routes/api/logging.js';
import { httpLogSerializers } from './plugins/log-redaction.js';
import { DetectionsRepo } from './plugins/db/detections-repo.js';
import { openIndexDb } from './plugins/db/index-db.js';
import { JobsRepo } from './plugins/db/jobs-repo.js';
import { ReleasesRepo } from './plugins/db/releases-repo.js';
import type { Repos } from './plugins/db/repos.js';
import { StationsRepo } from './plugins/db/stations-repo.js';
import { UploadsRepo } from './plugins/db/uploads-repo.js';
import { LiveHub } from './plugins/live-hub.js';
import { MqttBridge } from './plugins/mqtt.js';
import { loadOrCreateSecret, UrlSigner } from './plugins/storage/fs-presigner.js';
import { FsStorage } from './plugins/storage/fs-storage.js';
import type { ObjectStorage } from './plugins/storage/object-storage.js';
import { S3Storage } from './plugins/storage/s3-storage.js';
import { detectionRoutes } from './routes/api/detections.js';
import { incidentRoutes } from './routes/api/incidents.js';
import { liveRoutes } from './routes/api/live.js';
import { modelRoutes } from './routes/api/models.js';
import { objectRoutes } from './routes/api/objects.js';
import { predictRoutes } from './routes/api/predict.js';
import { retrainRoutes } from './routes/api/retrain.js';
import { stationRoutes } from './routes/api/stations.js';
import { uploadRoutes } from './routes/api/uploads.js';
import { dashboardRoutes } from './routes/dashboard/static.js';
import { installErrorHandler } from './routes/error-handler.js';
import { installSseRegistry } from './routes/sse.js';
import { statusRoutes } from './routes/status.js';
import type { CloudServices } from './services.js';
import { maxDecodedSamples } from './uploads/audio-limits.js';
import { UploadService } from './uploads/upload-service.js';

/** What runs in this process: the API (`serve`), the job worker, or a one-off CLI command. */
export type CloudRole = 'serve' | 'worker' | 'cli';

export interface CloudOptions {
  config: CloudConfig;
  logger: Logger;
  role?: CloudRole;
  clock?: Clock;
  /** The shipped model (default: the repository's models/). */
  shippedModelDir?: string;
  /** The dashboard's static files (default: cloud/src/ui in the installation). */
  uiDir?: string;
  /** Retrain engines; default: ml/src/train, ml/src/augment. */
  trainer?: Trainer;
  augmenter?: Augmenter;
  evaluator?: Evaluator;
  /** Epochs, batch size... of retrain jobs (defaults: DEFAULT_RETRAIN_TRAINING). */
  training?: Partial<RetrainTrainingSettings>;
  /** Test seam: an S3 client other than the one built from the config. */
  s3Client?: S3Client;
  /** Sidecar scan interval (default 60 s); 0 turns the timer off (POST /api/scan still scans). */
  scanIntervalMs?: number;
  /** How often a worker looks for queued jobs (default 5 s). */
  workerPollMs?: number;
  /** Receives every job log line (the CLI's progress bar). */
  jobEcho?: (line: string, status: JobStatus) => void;
  /** Time a client has to send a whole request (default 5 minutes); see HttpSettings. */
  requestTimeoutMs?: number;
}

export interface Cloud {
  app: FastifyInstance;
  services: CloudServices;
  /** Background work: tfjs backend, index rebuild on a fresh disk, first release, MQTT, scanner, jobs. */
  start(): Promise<void>;
  /** Reverse order of start: network first, database last. */
  stop(): Promise<void>;
}

/** The SQLite index file inside DATA_DIR. */
export const indexPath = (config: CloudConfig) => join(config.dataDir, 'index.sqlite');

/** Opens the index and its repositories. */
export function openIndex(path: string): { repos: Repos; created: boolean } {
  const { db, created } = openIndexDb(path);
  return {
    created,
    repos: {
      db,
      stations: new StationsRepo(db),
      uploads: new UploadsRepo(db),
      detections: new DetectionsRepo(db),
      jobs: new JobsRepo(db),
      releases: new ReleasesRepo(db),
      logging: new LoggingRepo(db),
    },
  };
}

/** The configured storage driver. */
export async function createStorage(config: CloudConfig, s3Client?: S3Client): Promise<{ storage: ObjectStorage; urlSigner: UrlSigner | undefined }> {
  if (config.storage === 's3') {
    const client = s3Client ?? createS3Client({ endpoint: config.s3Endpoint, region: config.awsRegion, forcePathStyle: config.s3ForcePathStyle, maxAttempts: 3 });
    return { storage: new S3Storage(client, config.s3Bucket), urlSigner: undefined };
  }
  const urlSigner = new UrlSigner(await loadOrCreateSecret(join(config.dataDir, 'presign-secret')));
  return { storage: new FsStorage(join(config.dataDir, 'objects'), urlSigner), urlSigner };
}

/** Rebuilds an index from storage alone (reindex command, fresh disks). */
export async function reindexFromStorage(storage: ObjectStorage, repos: Repos, logger: Logger, clock: Clock = systemClock): Promise<ReindexCounts> {
  const ingestor = new Ingestor({ storage, detections: repos.detections, stations: repos.stations, live: new LiveHub(), logger, clock });
  return rebuildIndex(storage, repos, ingestor, logger);
}

export function softwareVersion(): string {
  return packageVersion('0.0.0');
}

/** The composition root: builds every concrete part once and the fastify app over them. */
export async function createCloud(options: CloudOptions): Promise<Cloud> {
  const { config, logger } = options;
  const role = options.role ?? 'serve';
  const clock = options.clock ?? systemClock;
  const { storage, urlSigner } = await createStorage(config, options.s3Client);
  const { repos, created } = openIndex(indexPath(config));
  const live = new LiveHub();
  const ingestor = new Ingestor({ storage, detections: repos.detections, stations: repos.stations, live, logger, clock, logging: repos.logging });
  const registry = new StationRegistry(STATION_STALE_MS);
  const correlator = new IncidentCorrelator({
    ...DEFAULT_CORRELATOR_OPTIONS, hearingRangeM: config.incidentHearingRangeM, defaultAirTemperatureC: config.incidentAirTemperatureC, settleSec: config.incidentSettleSec,
  }, registry);
  // The ingest goes first: an incident's clips and detections are then already in the index.
  const onStationMessage = async (kind: StationTopicKind, id: string, payload: Buffer) => {
    await ingestor.onStationMessage(kind, id, payload);
    incidents.onStationMessage(kind, id, payload);
  };
  const mqtt = config.mqttUrl
    ? new MqttBridge({ url: config.mqttUrl, prefix: config.mqttPrefix, subscribe: role === 'serve' }, logger, onStationMessage)
    : undefined;
  const incidents = new IncidentService({
    correlator, registry, live, storage, logger, clock,
    publish: mqtt ? (payload) => mqtt.publish(incidentsTopic(config.mqttPrefix), encodePayload(payload)) : undefined,
  });
  const signing = signingSetup(config, role);
  const shippedDir = options.shippedModelDir ?? shippedModelDir();
  const currentModel = new CurrentModel({
    storage, releases: repos.releases, shippedDir, cacheDir: join(config.dataDir, 'model-cache'), loadPackage: loadModelPackage, logger,
  });
  const publisher = new ReleasePublisher({
    storage, releases: repos.releases, signingKey: signing.key, signer: signing.signer, live, logger, clock,
    announce: (payload) => mqtt?.publishRetained(modelAnnounceTopic(config.mqttPrefix), encodePayload(payload)),
    baseUrl: () => config.publicUrl || `http://127.0.0.1:${config.port}`,
  });
  const syncFromWorker = async () => {
    for (const record of await syncReleases(storage, repos.releases)) live.publish('model', record);
  };
  const jobStore = new JobStore({ storage, jobs: repos.jobs, live, clock, onRemoteFinish: syncFromWorker });
  const training = { ...DEFAULT_RETRAIN_TRAINING, ...options.training };
  const retrainDeps = {
    storage, repos, currentModel, publisher, clock,
    trainer: options.trainer ?? sharedTrainer(training),
    augmenter: options.augmenter ?? sharedAugmenter,
    evaluator: options.evaluator ?? sharedEvaluator(training.longNegativeMinutes),
    workRoot: join(config.dataDir, 'work'),
    maxDecodedSamples: maxDecodedSamples(config.maxUploadMb),
  };
  const runner = new JobRunner({
    store: jobStore, logger, clock, echo: options.jobEcho,
    mode: role === 'worker' ? 'worker' : role === 'cli' ? 'inline' : config.jobRunner,
    execute: async (request, progress, signal) => {
      // A worker or CLI may not share the API's disk: refresh the index from storage so the job sees every label.
      if (role !== 'serve') {
        progress.log('refreshing the index from storage');
        await rebuildIndex(storage, repos, ingestor, logger);
      }
      return runRetrain(retrainDeps, request, progress, signal);
    },
  });
  const services: CloudServices = {
    config, logger, clock, version: softwareVersion(), startedAt: clock.now(), storage, urlSigner, repos, live,
    auth: createAuthGuards({ apiKey: config.apiKey, publicDashboard: config.publicDashboard }, repos.stations),
    ingestor,
    incidents,
    scanner: new SidecarScanner({ storage, detections: repos.detections, stations: repos.stations, ingestor, logger, clock }),
    mqtt, currentModel, publisher, jobStore, runner,
    retrain: new RetrainService(repos, runner, publisher),
    uploads: new UploadService({
      storage, uploads: repos.uploads, clock, classes: async () => (await currentModel.get()).pkg.classNames, maxDecodedSamples: maxDecodedSamples(config.maxUploadMb),
    }),
    uiDir: options.uiDir ?? join(repositoryRoot(), 'cloud', 'src', 'ui'),
  };
  const app = await buildApp(services, { requestTimeoutMs: options.requestTimeoutMs });
  // Load a newly published model in the background, so /predict and /status move to it at once.
  live.subscribe((e) => {
    if (e.event === 'model' && (e.data as { status?: string }).status === 'published') {
      currentModel.get().catch((err) => logger.error({ err: describeError(err) }, 'cannot load the new release'));
    }
  });

  let started = false;
  let releaseTimer: NodeJS.Timeout | undefined;
  return {
    app,
    services,
    async start() {
      started = true;
      await initBackend(logger);
      if (created) {
        logger.info({ storage: storage.describe() }, 'new index: rebuilding it from storage');
        await rebuildIndex(storage, repos, ingestor, logger);
      }
      // An API whose worker signs leaves the first release to the worker too.
      if (signing.signer !== 'worker') {
        await publishShippedIfNone({ releases: repos.releases, publisher, shippedDir, logger }).catch((err) => {
          logger.error({ err: describeError(err) }, 'could not publish the shipped model as the first release');
        });
      }
      await currentModel.get().catch((err) => logger.error({ err: describeError(err) }, 'no usable model: /predict and uploads will fail'));
      mqtt?.start();
      if (role === 'serve') {
        incidents.start();
        publisher.announceLatest();
        const scanMs = options.scanIntervalMs ?? 60_000;
        if (scanMs > 0) services.scanner.start(scanMs);
        if (config.jobRunner === 'inline') await runner.recover();
        else {
          // Releases a worker publishes reach this index when their job is read, or at the latest here.
          releaseTimer = setInterval(() => {
            syncReleases(storage, repos.releases, true).then((added) => added.forEach((r) => live.publish('model', r)), (err) => {
              logger.warn({ err: describeError(err) }, 'release sync failed');
            });
          }, 30_000);
          releaseTimer.unref();
        }
      }
      if (role === 'worker') runner.startPolling(options.workerPollMs ?? 5_000);
      logger.info({ role, host: hostname(), storage: storage.describe(), jobRunner: config.jobRunner }, 'cloud service ready');
    },
    async stop() {
      clearInterval(releaseTimer);
      // app.close() waits for every open connection; a client's keep-alive socket (fastify keeps
      // them 72 s) or a stalled upload would hold a Ctrl-C that long. In-flight requests get a
      // short grace, then whatever is still open is cut.
      const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await app.close();
      clearTimeout(cut);
      if (started) await runner.stop();
      // A short-lived worker or CLI may have published while the broker was still connecting.
      if (mqtt && role !== 'serve' && !(await mqtt.flush(5_000))) logger.warn('the model announcement could not be sent to the broker');
      await mqtt?.stop();
      await incidents.stop();
      await services.scanner.stop();
      repos.db.close();
    },
  };
}

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
/** A station not heard from for this long is not counted on to corroborate (telemetry comes every minute). */
const STATION_STALE_MS = 5 * 60_000;
/** How long requests in flight may finish when the service stops. */
const SHUTDOWN_GRACE_MS = 2_000;

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
    trustProxy: config.trustProxy,
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
