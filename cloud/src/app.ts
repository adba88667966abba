import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { CloudConfig } from '#shared/config/cloud-config.js';
import { shippedOnsetModelDir } from '#shared/detect/onset-model.js';
import { loadModelPackage, repositoryRoot, shippedModelDir } from '#shared/model/model-package.js';
import { encodePayload } from '#shared/mqtt/payloads.js';
import { cloudLiveTopic, incidentsTopic, modelAnnounceTopic, type StationTopicKind } from '#shared/mqtt/topics.js';
import type { Logger } from '#shared/util/logger.js';
import { describeError } from '#shared/errors.js';
import { systemClock, type Clock } from '#shared/util/clock.js';
import { buildApp } from './http.js';
import { DEFAULT_CORRELATOR_OPTIONS, IncidentCorrelator } from './incidents/correlator.js';
import { IncidentService } from './incidents/incident-service.js';
import { StationRegistry } from './incidents/station-registry.js';
import { Ingestor } from './ingest/ingestor.js';
import { rebuildIndex } from './ingest/reindex.js';
import { reconcileListDays, SidecarScanner } from './ingest/sidecar-scanner.js';
import { UploadConfirmer } from './ingest/upload-confirmer.js';
import { JobRunner } from './jobs/job-runner.js';
import type { JobStatus } from './jobs/job-status.js';
import { JobStore } from './jobs/job-store.js';
import { RetrainService } from './jobs/retrain-service.js';
import { sharedAugmenter } from './jobs/retrain/augment-adapter.js';
import { sharedEvaluator } from './jobs/retrain/evaluate-adapter.js';
import { DEFAULT_RETRAIN_TRAINING, sharedTrainer, type RetrainTrainingSettings } from './jobs/retrain/train-adapter.js';
import { DEFAULT_ONSET_RETRAIN, sharedOnsetEvaluator, sharedOnsetTrainer, type OnsetRetrainSettings } from './jobs/retrain/onset-adapter.js';
import type { Augmenter, Evaluator, OnsetEvaluator, OnsetTrainer, Trainer } from './jobs/retrain/ports.js';
import { runRetrain } from './jobs/retrain/retrain-job.js';
import { cloudLifecycle } from './lifecycle.js';
import { CurrentModel } from './models/current-model.js';
import { ReleasePublisher } from './models/publisher.js';
import { syncReleases } from './models/release-sync.js';
import { signingSetup } from './models/signing-role.js';
import { createAuthGuards } from './plugins/auth.js';
import { LiveHub } from './adapters/live-hub.js';
import { LiveRelay } from './adapters/live-relay.js';
import { MqttBridge } from './adapters/mqtt-bridge.js';
import { SoleInstance, type IngestLeadership } from './adapters/ingest-leadership.js';
import { PgAdvisoryLeadership } from './adapters/pg-leadership.js';
import { StationIngestLink } from './adapters/station-ingest-link.js';
import type { CloudServices } from './services.js';
import { PredictGate } from './predict/predict-gate.js';
import { StationService } from './stations/station-service.js';
import { maxDecodedSamples } from './uploads/audio-limits.js';
import { UploadService } from './uploads/upload-service.js';
import { createStorage, openIndex, softwareVersion } from './wiring.js';

export { createStorage, indexPath, openIndex, rebuildIndexTarget, reindexFromStorage, softwareVersion } from './wiring.js';
export { buildApp, type HttpSettings } from './http.js';

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
  /** Stage-2 engines (default: ml/src/onset fine-tuning, ml/src/honest two-stage comparison). */
  onsetTrainer?: OnsetTrainer;
  onsetEvaluator?: OnsetEvaluator;
  /** Stage 2 a retrain starts from while the current release has none (default: the repository's models/onset). */
  shippedOnsetDir?: string;
  /** Stage-2 epochs, learning rate... of retrain jobs (defaults: DEFAULT_ONSET_RETRAIN). */
  onsetTraining?: Partial<OnsetRetrainSettings>;
  /** Epochs, batch size... of retrain jobs (defaults: DEFAULT_RETRAIN_TRAINING). */
  training?: Partial<RetrainTrainingSettings>;
  /** Test seam: an S3 client other than the one built from the config. */
  s3Client?: S3Client;
  /** Reconciliation interval; default RECONCILE_INTERVAL_SEC; 0 turns the timer off (POST /api/scan still scans). */
  scanIntervalMs?: number;
  /** How often a worker looks for queued jobs (default 5 s). */
  workerPollMs?: number;
  /** Receives every job log line (the CLI's progress bar). */
  jobEcho?: (line: string, status: JobStatus) => void;
  /** Time a client has to send a whole request (default 5 minutes); see HttpSettings. */
  requestTimeoutMs?: number;
  /** Who ingests station messages among several instances (default: a PostgreSQL advisory lock with DATABASE_URL, else this one alone). */
  leadership?: IngestLeadership;
}

export interface Cloud {
  app: FastifyInstance;
  services: CloudServices;
  /** Background work: tfjs backend, index rebuild on a fresh disk, first release, MQTT, scanner, jobs. */
  start(): Promise<void>;
  /** Reverse order of start: network first, database last. */
  stop(): Promise<void>;
}

/** The composition root: builds every concrete part once and the fastify app over them. */
export async function createCloud(options: CloudOptions): Promise<Cloud> {
  const { config, logger } = options;
  const role = options.role ?? 'serve';
  const clock = options.clock ?? systemClock;
  const { storage, urlSigner } = await createStorage(config, options.s3Client);
  const { repos, created, pgPool } = await openIndex(config, logger);
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
  const mqtt = config.mqttUrl ? new MqttBridge({ url: config.mqttUrl }, logger) : undefined;
  const ingestLink = config.mqttUrl && role === 'serve'
    ? new StationIngestLink({ url: config.mqttUrl, prefix: config.mqttPrefix, clientId: config.mqttClientId }, logger, onStationMessage)
    : undefined;
  // Several API instances: what one publishes live reaches every instance's dashboards through the broker.
  const relay = mqtt && role === 'serve' ? new LiveRelay(live, mqtt, cloudLiveTopic(config.mqttPrefix), logger) : undefined;
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
  const onsetTraining = { ...DEFAULT_ONSET_RETRAIN, ...options.onsetTraining };
  const retrainDeps = {
    storage, repos, currentModel, publisher, clock,
    trainer: options.trainer ?? sharedTrainer(training),
    augmenter: options.augmenter ?? sharedAugmenter,
    evaluator: options.evaluator ?? sharedEvaluator(training.longNegativeMinutes),
    onsetTrainer: options.onsetTrainer ?? sharedOnsetTrainer(logger, onsetTraining),
    onsetEvaluator: options.onsetEvaluator ?? sharedOnsetEvaluator(onsetTraining),
    shippedOnsetDir: options.shippedOnsetDir ?? shippedOnsetModelDir(),
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
    config, logger, clock, version: softwareVersion(), startedAt: new Date(clock.now()), storage, urlSigner, repos, live,
    auth: createAuthGuards({ apiKey: config.apiKey, viewerKey: config.viewerKey, publicDashboard: config.publicDashboard }, repos.stations),
    stations: new StationService({ storage, stations: repos.stations, clock }),
    ingestor,
    incidents,
    scanner: new SidecarScanner({
      storage, detections: repos.detections, stations: repos.stations, ingestor, logger, clock,
      listDays: reconcileListDays(options.scanIntervalMs !== undefined ? options.scanIntervalMs / 1000 : config.reconcileIntervalSec),
    }),
    confirmer: new UploadConfirmer({ storage, detections: repos.detections, ingestor }),
    mqtt, ingestLink, currentModel, publisher, jobStore, runner,
    predictGate: new PredictGate({ concurrency: config.predictConcurrency, queue: config.predictQueue }),
    retrain: new RetrainService(repos, runner, publisher),
    uploads: new UploadService({
      storage, uploads: repos.uploads, clock, classes: async () => (await currentModel.get()).pkg.classNames, maxDecodedSamples: maxDecodedSamples(config.maxUploadMb),
    }),
    uiDir: options.uiDir ?? join(repositoryRoot(), 'cloud', 'src', 'ui'),
  };
  const app = await buildApp(services, { requestTimeoutMs: options.requestTimeoutMs });
  // Load a newly published model in the background, so /predict and /status move to it at once.
  // Incidents another instance formed (it leads the ingest) are listed here too.
  live.subscribe((e) => {
    if (e.remote && e.event === 'incident') incidents.adopt(e.data);
  });
  live.subscribe((e) => {
    if (e.event === 'model' && (e.data as { status?: string }).status === 'published') {
      currentModel.get().catch((err) => logger.error({ err: describeError(err) }, 'cannot load the new release'));
    }
  });

  return { app, services, ...cloudLifecycle({
    config, logger, role, app, services, storage, repos, created, ingestor, publisher, currentModel, runner, mqtt, ingestLink, leadership: options.leadership ?? (pgPool ? new PgAdvisoryLeadership(pgPool, logger) : new SoleInstance()), live, relay, incidents, shippedDir,
    signer: signing.signer, scanIntervalMs: options.scanIntervalMs, workerPollMs: options.workerPollMs,
  }) };
}

/** A station not heard from for this long is not counted on to corroborate (telemetry comes every minute). */
const STATION_STALE_MS = 5 * 60_000;
