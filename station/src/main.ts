import { join, resolve } from 'node:path';
import type { StationConfig } from '#shared/config/station-config.js';
import { describeError } from '#shared/errors.js';
import { initBackend } from '#shared/model/backend.js';
import { shippedModelDir, type ModelPackage } from '#shared/model/model-package.js';
import { loadInitialModel } from './ota/initial-model.js';
import { packageVersion } from '#shared/util/package-version.js';
import type { Logger } from '#shared/util/logger.js';
import { publishHomeAssistantDiscovery } from './actions/home-assistant.js';
import { MqttLink } from './actions/mqtt-link.js';
import { OutboxWorker } from './actions/outbox-worker.js';
import { DELAYED_AFTER_MS, PublishAlerts, PublishEvents } from './actions/publish-messages.js';
import { SqliteOutgoingStore } from './store/mqtt-outgoing-store.js';
import type { UploadTarget } from './actions/upload-target.js';
import type { AudioSource } from './capture/audio-source.js';
import { FileSource } from './capture/file-source.js';
import { FolderSource } from './capture/folder-source.js';
import { MicSource } from './capture/mic-source.js';
import { startRecorder } from './capture/recorder-process.js';
import { buildStages, type PipelineStages } from '#shared/pipeline/stages.js';
import { composeLoggingStage, loggingWorker } from './logging-composition.js';
import { buildUploadTarget, uploadWorkers } from './upload-composition.js';
import { AlertJoiner } from './pipeline/alert-joiner.js';
import { ClipWriter } from './pipeline/clip-writer.js';
import { Clipper } from './pipeline/clipper.js';
import { DetectionLog } from './pipeline/detection-log.js';
import { DetectionSink } from './pipeline/detection-sink.js';
import { RecentAudio } from './pipeline/recent-audio.js';
import { alertLabels, classDecisions, clipPriorities, stationStageOptions } from './pipeline/decisions.js';
import { chooseClipEncoder } from './pipeline/clip-encoder-setup.js';
import type { ClipEncoder } from './pipeline/clip-encoder.js';
import { composeStatusPage, type StatusPage } from './status-page/compose-status-page.js';
import type { TelemetryPayload } from '#shared/mqtt/payloads.js';
import { PipelineRunner, type ModelSwitch } from './pipeline/runner.js';
import { followModelSwitch, onsetDirFor, withGunshotPath } from './pipeline/gunshot-path.js';
import { ModelInstaller } from './ota/model-installer.js';
import { ModelUpdater } from './ota/model-updater.js';
import { KeyValueStore } from './store/kv.js';
import { parsePublicKey } from '#shared/manifest/keys.js';
import { AlertStore } from './store/alert-store.js';
import { ClipQuota } from './store/clip-quota.js';
import { openDatabase } from './store/database.js';
import { StoreRetention } from './store/retention.js';
import { DetectionStore } from './store/detection-store.js';
import { Outbox } from './store/outbox.js';
import { ProcessedFiles } from './capture/processed-files.js';
import { recoverAfterCrash } from './store/recovery.js';
import { GpsdClient } from './location/gpsd-client.js';
import { LocationReporter } from './location/location-reporter.js';
import type { StationLocationFields } from '#shared/mqtt/location.js';
import { SegmentStore } from './store/segment-store.js';
import type { Clock } from './core/clock.js';
import type { Db } from './core/db.js';
import { Heartbeat } from './system/health.js';
import type { Service } from './core/service.js';
import { StationLifecycle } from './system/lifecycle.js';
import { SystemdNotifier } from './system/systemd.js';
import { RetentionService } from './system/retention-service.js';
import { TelemetryService } from './system/telemetry-service.js';
import { collectTelemetry, statusLine } from './system/telemetry.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

export interface ComposeOptions {
  exitWhenIdle: boolean;
  idleTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
}

/** The composition root: the only place that constructs the station's concrete parts. */
export async function composeStation(config: StationConfig, o: ComposeOptions): Promise<StationLifecycle> {
  const { clock, logger } = o;
  const dataDir = resolve(config.dataDir);
  const clipsDir = join(dataDir, 'clips');
  const db = openDatabase(join(dataDir, 'station.db'));
  const recovery = await recoverAfterCrash(db, clipsDir);
  if (recovery.tempFilesRemoved + recovery.detectionsInterrupted > 0) logger.warn(recovery, 'recovered from an unclean stop');

  await initBackend(logger, config.model.backend);
  const model = await loadInitialModel(config.model.dir, dataDir, logger);
  // Event ids name the station, so the cloud never mixes two stations' detections.
  const stages = buildStages(model, { ...stationStageOptions(model, config.detection, config.model.maxBatch), stationId: config.stationId });
  const modelVersion = (): string => stages.classifier.model.metadata.version;
  const softwareVersion = packageVersion('unknown');

  const outbox = new Outbox(db);
  const stores: StationStores = { db, segments: new SegmentStore(db), detections: new DetectionStore(db), alerts: new AlertStore(db), outbox };
  const quota = new ClipQuota(db, config.clips.quotaMb * 1024 * 1024, clock, logger);
  const heartbeat = new Heartbeat();
  const uploadTarget = buildUploadTarget(config);
  const mqttEnabled = Boolean(config.mqtt.url);
  const encoder = await chooseClipEncoder(config.clips, logger);
  const location = buildLocation(config, clock, logger);
  const sink = buildDetectionSink(config, { model, stages, stores, quota, clipsDir, encoder, mqttEnabled, uploadEnabled: uploadTarget !== undefined, locator: location }, o);
  if (uploadTarget) stores.outbox.promoteLocal('upload', clock.now());
  if (mqttEnabled) {
    stores.outbox.promoteLocal('alert', clock.now());
    stores.outbox.promoteLocal('event', clock.now());
    stores.outbox.promoteLocal('logging', clock.now());
  }
  const source = buildSource(config, dataDir, o, new ProcessedFiles(db));
  // The status page (off by default) sees the audio through a tap in front of the detection sink. Its
  // callbacks read parts composed further down; they run only once the station is started.
  const statusPage: StatusPage | undefined = config.statusPage.enabled ? composeStatusPage(sink, {
    config, dataDir, sampleRateHz: SAMPLE_RATE_HZ, softwareVersion, clipCodec: encoder.codec, telemetry: (): Promise<TelemetryPayload> => collectTelemetry(telemetrySources),
    mqttState: () => (link ? (link.connected ? 'connected' : 'disconnected') : 'off'), uploadTarget: uploadTarget?.describe(), modelVersion,
    pendingModelUpdate: () => updater.pendingVersion, clock, logger,
  }) : undefined;
  // The logging stage (sustained chainsaw) sits in front of the status page's tap and the detection sink.
  const loggingSink = composeLoggingStage({ config, sampleRateHz: SAMPLE_RATE_HZ, stages, recorder: statusPage?.sink ?? sink, db, outbox, detections: stores.detections, clock, logger });
  // Gunshots from the two-stage detector (issue 12) in front of everything that consumes detections.
  const pipelineSink = await withGunshotPath(loggingSink, () => stages.classifier.classNames, logger, config.detection.gunshotDetector === 'window' ? undefined : onsetDirFor(model.dir, dataDir));
  const runner: PipelineRunner = new PipelineRunner(source, stages, pipelineSink, heartbeat, () => clock.now());

  const systemd = new SystemdNotifier(o.env, logger);
  const { link, workers } = buildActions(config, { stores, uploadTarget, mqttEnabled, softwareVersion, modelVersion, statusFields: () => location.stationFields() }, o);
  const startedAtMs = clock.now();
  const telemetrySources = {
    stationId: config.stationId, dataDir, startedAtMs, outbox, segments: stores.segments, quota, heartbeat, source, modelVersion,
    droppedWindows: () => source.stats().droppedChunks + runner.counters.discontinuities, clock,
    locationFields: () => location.stationFields(),
  };
  const telemetry = new TelemetryService(telemetrySources, link, systemd, config.mqtt.telemetryIntervalSec * 1000, logger);
  // Stage 2 follows the window model through updates and roll-backs (a release may carry its own).
  const followOnset = (s: ModelSwitch | undefined) => {
    if (s) followModelSwitch(pipelineSink, s.model.dir, dataDir, logger).catch((err) => logger.error({ err: describeError(err) }, 'gunshots: cannot load the onset model of the new model; stage 2 stays as it was'));
    return s;
  };
  const updater = buildUpdater(config, dataDir, { db, link, runner, stages, followOnset }, logger);
  runner.setClassifierFailureHandler(async (err, failed) => followOnset(await updater.onClassifierFailure(err, failed)));
  const retention = new RetentionService(
    new StoreRetention(db, { maxAgeMs: config.retention.maxAgeDays * 86_400_000, maxDbBytes: config.retention.maxDbMb * 1024 * 1024 }),
    config.retention.intervalSec * 1000, clock, logger,
  );
  const services: Service[] = [location, telemetry, updater, retention];
  if (statusPage) services.push(statusPage.server);
  logger.info({
    stationId: config.stationId, source: `${config.source.type}:${config.source.device || config.source.path}`, model: modelVersion(), clipCodec: encoder.codec,
    mqtt: mqttEnabled ? 'on' : 'off (local mode)', upload: uploadTarget?.describe() ?? 'off (local mode: clips stay on disk)',
  }, 'station composed');
  return new StationLifecycle(
    { db, outbox, runner, heartbeat, systemd, link, workers, services, status: async () => statusLine(await collectTelemetry(telemetrySources)), clock, logger },
    { exitWhenIdle: o.exitWhenIdle, idleTimeoutMs: o.idleTimeoutMs, heartbeatStaleMs: config.systemd.heartbeatStaleSec * 1000, stopTimeoutMs: config.systemd.stopTimeoutSec * 1000 },
  );
}

interface StationStores {
  db: Db;
  segments: SegmentStore;
  detections: DetectionStore;
  alerts: AlertStore;
  outbox: Outbox;
}

/** The stages behind the event detector: recent audio, shot onsets, alerts, clips and their outbox items. */
function buildDetectionSink(
  config: StationConfig,
  p: {
    model: ModelPackage; stages: PipelineStages; stores: StationStores; quota: ClipQuota; clipsDir: string; encoder: ClipEncoder; mqttEnabled: boolean; uploadEnabled: boolean;
    locator: LocationReporter;
  },
  o: ComposeOptions,
): DetectionSink {
  const { clock, logger } = o;
  const rolls = {
    sampleRateHz: SAMPLE_RATE_HZ,
    preRollSamples: Math.round(config.clips.preRollSec * SAMPLE_RATE_HZ),
    postRollSamples: Math.round(config.clips.postRollSec * SAMPLE_RATE_HZ),
  };
  const recent = new RecentAudio({ ...rolls, maxEventSamples: Math.round(config.detection.maxEventSec * SAMPLE_RATE_HZ) });
  const clipper = new Clipper({ ...rolls, clipsDir: p.clipsDir, encoder: p.encoder }, recent);
  const alerting = alertLabels(p.model.classNames, config.detection);
  const alertJoiner = new AlertJoiner(
    { stationId: config.stationId, sampleRateHz: SAMPLE_RATE_HZ, alertCooldownSec: config.mqtt.alertCooldownSec, mqttEnabled: p.mqttEnabled }, p.stores,
  );
  const detectionLog = new DetectionLog(
    { stationId: config.stationId, priorities: clipPriorities(p.model.classNames, config.detection, alerting), mqttEnabled: p.mqttEnabled, uploadEnabled: p.uploadEnabled, clipCodec: p.encoder.codec },
    p.stores, alertJoiner, clock, () => p.stages.classifier.classNames, () => p.stages.classifier.model.metadata.version,
  );
  const clipWriter = new ClipWriter(clipper, {
    makeRoom: async (samples) => void (await p.quota.freeBytes(samples * 2 + 44)),
    afterClips: async () => void (await p.quota.enforce()),
  }, logger);
  return new DetectionSink({ sampleRateHz: SAMPLE_RATE_HZ, alertLabels: alerting }, { recent, clipper, clipWriter, log: detectionLog, locator: p.locator }, p.stores.segments, clock, logger);
}

/** The MQTT link and the outbox workers that publish and upload. */
function buildActions(
  config: StationConfig,
  p: {
    stores: StationStores; uploadTarget: UploadTarget | undefined; mqttEnabled: boolean; softwareVersion: string; modelVersion: () => string;
    statusFields: () => StationLocationFields;
  },
  o: ComposeOptions,
): { link: MqttLink | undefined; workers: OutboxWorker<unknown>[] } {
  const { clock, logger } = o;
  const { outbox, alerts, db } = p.stores;
  const mqttStore = new SqliteOutgoingStore(db, (outboxId, nowMs) => {
    // The broker completed a publish (possibly one resent after a restart): its outbox item is done.
    const item = outbox.getById<{ alertId?: string }>(outboxId);
    outbox.markDone(outboxId, nowMs);
    if (item?.kind === 'alert' && item.payload.alertId) alerts.markPublished(item.payload.alertId, nowMs, nowMs - item.createdAtMs > DELAYED_AFTER_MS);
  });
  const link = p.mqttEnabled
    ? new MqttLink({ config: config.mqtt, stationId: config.stationId, softwareVersion: p.softwareVersion, modelVersion: p.modelVersion, outgoingStore: mqttStore, statusFields: p.statusFields }, logger)
    : undefined;
  const workers: OutboxWorker<unknown>[] = [];
  if (link) {
    const messageBackoff = { minMs: 1000, maxMs: 60_000 };
    const alertWorker = new OutboxWorker('alert', outbox, new PublishAlerts(link, alerts, mqttStore, clock), { concurrency: 4, backoff: messageBackoff, batch: 20 }, clock, logger);
    const eventWorker = new OutboxWorker('event', outbox, new PublishEvents(link, mqttStore, clock), { concurrency: 4, backoff: messageBackoff, batch: 50 }, clock, logger);
    const loggingAlerts = loggingWorker(link, outbox, mqttStore, clock, logger);
    workers.push(alertWorker as OutboxWorker<unknown>, eventWorker as OutboxWorker<unknown>, loggingAlerts as OutboxWorker<unknown>);
    link.onConnect(() => {
      alertWorker.wake();
      eventWorker.wake();
      loggingAlerts.wake();
      if (config.mqtt.homeAssistant.enabled) {
        void publishHomeAssistantDiscovery(link, config.stationId, config.mqtt.homeAssistant.discoveryPrefix, p.softwareVersion)
          .catch((err: unknown) => logger.warn({ err: describeError(err) }, 'Home Assistant discovery failed'));
      }
    });
  }
  if (p.uploadTarget) workers.push(...uploadWorkers(config, p.uploadTarget, p.stores, o.clock, o.logger));
  return { link, workers };
}

/** Over-the-air model updates, switching the running pipeline's model. */
function buildUpdater(
  config: StationConfig, dataDir: string,
  p: { db: Db; link: MqttLink | undefined; runner: PipelineRunner; stages: PipelineStages; followOnset: (s: ModelSwitch) => void }, logger: Logger,
): ModelUpdater {
  return new ModelUpdater(
    {
      baseUrl: config.ota.url, pollIntervalMs: config.ota.pollIntervalSec * 1000,
      publicKey: config.ota.publicKey ? parsePublicKey(config.ota.publicKey) : undefined,
      pinnedVersion: config.ota.pinnedVersion, mqttPrefix: config.mqtt.prefix, stationToken: config.upload.token,
    },
    new ModelInstaller(join(dataDir, 'models')),
    { currentModel: () => p.stages.classifier.model, requestModelSwitch: (next) => {
      p.runner.requestModelSwitch(next);
      p.followOnset(next);
    } },
    (m) => classDecisions(m.classNames, m.metadata.thresholds, config.detection),
    new KeyValueStore(p.db), p.link, shippedModelDir(), logger,
  );
}

function buildLocation(config: StationConfig, clock: Clock, logger: Logger): LocationReporter {
  const l = config.location;
  const configPosition = l.latitude !== undefined && l.longitude !== undefined
    ? { latitude: l.latitude, longitude: l.longitude, altitudeM: l.altitudeM, source: 'config' as const, accuracyM: l.accuracyM ?? null }
    : undefined;
  const gpsd = l.gpsd.enabled ? new GpsdClient({ host: l.gpsd.host, port: l.gpsd.port }, logger) : undefined;
  return new LocationReporter(
    { configPosition, recorderClockErrorMs: l.recorderClockErrorMs, airTemperatureC: l.airTemperatureC, clockCheckIntervalMs: l.clockCheckIntervalSec * 1000 },
    gpsd, undefined, () => clock.now(), logger,
  );
}

function buildSource(config: StationConfig, dataDir: string, o: ComposeOptions, processed: ProcessedFiles): AudioSource {
  const s = config.source;
  if (s.type === 'mic') {
    return new MicSource(
      { recorder: s.recorder, device: s.device, stallTimeoutSec: s.stallTimeoutSec, restartMinSec: s.restartMinSec, restartMaxSec: s.restartMaxSec, maxQueuedSec: 30 },
      startRecorder, o.clock, o.logger,
    );
  }
  if (s.type === 'file') return new FileSource({ path: s.path, realtime: s.realtime, loop: s.loop && !o.exitWhenIdle, chunkSec: s.realtime ? 0.1 : 2 }, o.clock);
  return new FolderSource({
    dir: s.path, extension: s.extension, stableSec: s.stableSec, afterProcessing: s.afterProcessing,
    processedDir: s.processedDir || join(dataDir, 'processed'), rejectedDir: join(dataDir, 'rejected'),
    exitWhenIdle: o.exitWhenIdle, chunkSec: 2,
  }, processed, o.clock, o.logger);
}

