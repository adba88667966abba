import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { CloudConfig } from '#shared/config/cloud-config.js';
import { describeError } from '#shared/errors.js';
import { initBackend } from '#shared/model/backend.js';
import type { Logger } from '#shared/util/logger.js';
import type { IncidentService } from './incidents/incident-service.js';
import type { Ingestor } from './ingest/ingestor.js';
import { rebuildIndex } from './ingest/reindex.js';
import type { JobRunner } from './jobs/job-runner.js';
import { publishShippedIfNone } from './models/bootstrap.js';
import type { CurrentModel } from './models/current-model.js';
import type { ReleasePublisher } from './models/publisher.js';
import { syncReleases } from './models/release-sync.js';
import type { Repos } from './adapters/db/repos.js';
import type { LiveHub } from './adapters/live-hub.js';
import type { LiveRelay } from './adapters/live-relay.js';
import type { IngestLeadership } from './adapters/ingest-leadership.js';
import type { StationIngestLink } from './adapters/station-ingest-link.js';
import type { MqttBridge } from './adapters/mqtt-bridge.js';
import type { ObjectStorage } from './adapters/storage/object-storage.js';
import type { CloudServices } from './services.js';

/** How long requests in flight may finish when the service stops. */
const SHUTDOWN_GRACE_MS = 2_000;

/** What start and stop drive; built once by createCloud (app.ts). */
export interface LifecycleParts {
  config: CloudConfig;
  logger: Logger;
  role: 'serve' | 'worker' | 'cli';
  app: FastifyInstance;
  services: CloudServices;
  storage: ObjectStorage;
  repos: Repos;
  /** The index file was new: rebuild it from storage. */
  created: boolean;
  ingestor: Ingestor;
  publisher: ReleasePublisher;
  currentModel: CurrentModel;
  runner: JobRunner;
  mqtt: MqttBridge | undefined;
  live: LiveHub;
  /** Live updates to and from the other API instances (with MQTT). */
  relay?: LiveRelay;
  /** The station-topic subscription, run while this instance leads the ingest. */
  ingestLink?: StationIngestLink;
  leadership: IngestLeadership;
  /** Cross-station incidents: started with the API, stopped after MQTT. */
  incidents: IncidentService;
  shippedDir: string;
  /** Who signs releases (models/signing-role.ts): 'worker' means this API publishes nothing itself. */
  signer: string;
  scanIntervalMs?: number;
  workerPollMs?: number;
}

/**
 * Start and stop per role. start: tfjs backend, index rebuild on a fresh disk,
 * first release, MQTT, then the API's scanner and job recovery or the worker's
 * polling. stop runs in reverse: network first, database last.
 */
export function cloudLifecycle(parts: LifecycleParts): { start(): Promise<void>; stop(): Promise<void> } {
  const { config, logger, role, app, services, storage, repos, created, ingestor, publisher, currentModel, runner, mqtt, live, incidents, shippedDir } = parts;
  let started = false;
  let releaseTimer: NodeJS.Timeout | undefined;
  return {
    async start() {
      started = true;
      await initBackend(logger);
      if (created) {
        logger.info({ storage: storage.describe() }, 'new index: rebuilding it from storage');
        await rebuildIndex(storage, repos, ingestor, logger);
      }
      // An API whose worker signs leaves the first release to the worker too.
      if (parts.signer !== 'worker') {
        await publishShippedIfNone({ releases: repos.releases, publisher, shippedDir, logger }).catch((err) => {
          logger.error({ err: describeError(err) }, 'could not publish the shipped model as the first release');
        });
      }
      await currentModel.get().catch((err) => logger.error({ err: describeError(err) }, 'no usable model: /predict and uploads will fail'));
      // Incidents formed before a restart, read back before MQTT redelivers any of their alerts.
      if (role === 'serve') {
        await incidents.restore().catch((err) => logger.error({ err: describeError(err) }, 'could not read incidents back from storage'));
      }
      parts.relay?.start();
      mqtt?.start();
      if (role === 'serve') {
        const link = parts.ingestLink;
        // Confirmations are the ingest path; the listing only repairs what they missed (daily by default),
        // run by the ingest leader alone so that several instances list the bucket once.
        const scanMs = parts.scanIntervalMs ?? config.reconcileIntervalSec * 1000;
        parts.leadership.start((leading) => {
          logger.info({ leadership: parts.leadership.describe, leading }, leading ? 'this instance ingests station messages' : 'another instance ingests station messages');
          if (leading) {
            link?.start();
            if (scanMs > 0) services.scanner.start(scanMs);
          } else {
            link?.stop().catch(() => undefined);
            services.scanner.stop().catch(() => undefined);
          }
        });
        incidents.start();
        await publisher.announceLatest();
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
      if (role === 'worker') runner.startPolling(parts.workerPollMs ?? 5_000);
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
      parts.relay?.stop();
      await parts.leadership.stop();
      await parts.ingestLink?.stop();
      await mqtt?.stop();
      await incidents.stop();
      await services.scanner.stop();
      await repos.close();
    },
  };
}

