import type { CloudConfig } from '#shared/config/cloud-config.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '#shared/util/clock.js';
import type { IncidentService } from './incidents/incident-service.js';
import type { Ingestor } from './ingest/ingestor.js';
import type { SidecarScanner } from './ingest/sidecar-scanner.js';
import type { UploadConfirmer } from './ingest/upload-confirmer.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { JobStore } from './jobs/job-store.js';
import type { RetrainService } from './jobs/retrain-service.js';
import type { CurrentModel } from './models/current-model.js';
import type { ReleasePublisher } from './models/publisher.js';
import type { AuthGuards } from './plugins/auth.js';
import type { Repos } from './adapters/db/repos.js';
import type { LiveHub } from './adapters/live-hub.js';
import type { MqttBridge } from './adapters/mqtt-bridge.js';
import type { StationIngestLink } from './adapters/station-ingest-link.js';
import type { UrlSigner } from './adapters/storage/fs-presigner.js';
import type { ObjectStorage } from './adapters/storage/object-storage.js';
import type { PredictGate } from './predict/predict-gate.js';
import type { UploadService } from './uploads/upload-service.js';
import type { StationService } from './stations/station-service.js';

/** Everything routes and commands use, wired once in app.ts (the composition root). */
export interface CloudServices {
  config: CloudConfig;
  logger: Logger;
  clock: Clock;
  /** Software version (package.json). */
  version: string;
  startedAt: Date;
  storage: ObjectStorage;
  /** Signs and checks fs-driver upload URLs; undefined with STORAGE=s3. */
  urlSigner: UrlSigner | undefined;
  repos: Repos;
  live: LiveHub;
  auth: AuthGuards;
  stations: StationService;
  ingestor: Ingestor;
  /** Corroborates alerts across stations and locates shots (incidents). */
  incidents: IncidentService;
  /** The reconciliation: lists recent station folders (RECONCILE_INTERVAL_SEC, POST /api/scan). */
  scanner: SidecarScanner;
  /** Checks and ingests the objects a station confirms it uploaded (the hot ingest path). */
  confirmer: UploadConfirmer;
  /** Undefined when MQTT_URL is empty. */
  mqtt: MqttBridge | undefined;
  /** The station-topic subscription (the API with MQTT); it runs while this instance leads the ingest. */
  ingestLink?: StationIngestLink;
  currentModel: CurrentModel;
  publisher: ReleasePublisher;
  jobStore: JobStore;
  runner: JobRunner;
  retrain: RetrainService;
  /** Bounds the memory-heavy /predict decodes (PREDICT_CONCURRENCY running, PREDICT_QUEUE waiting). */
  predictGate: PredictGate;
  uploads: UploadService;
  /** The dashboard's static files. */
  uiDir: string;
}

/** Base URL clients reach the service at: PUBLIC_URL, else the request's own scheme and host. */
export function baseUrlOf(config: CloudConfig, request: { protocol: string; host: string }): string {
  return config.publicUrl ? config.publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
}
