import type { StationConfig } from '#shared/config/station-config.js';
import type { Logger } from '#shared/util/logger.js';
import type { MqttLink } from './actions/mqtt-link.js';
import { OutboxWorker } from './actions/outbox-worker.js';
import { PublishLoggingAlerts } from './actions/publish-logging.js';
import type { LoggingAlertDraft } from '#shared/mqtt/payloads.js';
import { LoggingDetector } from './pipeline/logging-detector.js';
import type { PipelineStages } from '#shared/pipeline/stages.js';
import type { PipelineSink } from './pipeline/sink.js';
import type { Db } from './core/db.js';
import type { DetectionStore } from './store/detection-store.js';
import type { SqliteOutgoingStore } from './store/mqtt-outgoing-store.js';
import type { Outbox } from './store/outbox.js';
import type { Clock } from '#shared/util/clock.js';

export interface LoggingParts {
  config: StationConfig;
  sampleRateHz: number;
  stages: PipelineStages;
  recorder: PipelineSink;
  db: Db;
  outbox: Outbox;
  detections: DetectionStore;
  clock: Clock;
  logger: Logger;
}

/**
 * Part of the daemon's composition root (main.ts): puts the logging stage
 * (pipeline/logging-detector.ts) in front of the recorder and builds the
 * worker that publishes its messages. Returns the recorder unchanged when
 * logging alerts are disabled.
 */
export function composeLoggingStage(p: LoggingParts): PipelineSink {
  const settings = p.config.detection.logging;
  if (!settings.enabled) return p.recorder;
  const { label } = settings;
  const model = () => p.stages.classifier.model;
  const state = p.config.mqtt.url ? 'pending' : 'local';
  const emit = (draft: LoggingAlertDraft): void => {
    // Each message its own item (updates too): a later update never overwrites one already sent.
    const key = `logging:${draft.alertId}:${draft.type}${draft.type === 'update' ? `:${draft.lastHeardTime}` : ''}`;
    p.db.transaction(() => p.outbox.enqueue('logging', key, draft, p.clock.now(), { priority: 8, state }))();
    p.logger.info({ alertId: draft.alertId, type: draft.type, label, durationSec: draft.durationSec }, `logging alert ${draft.type}`);
  };
  return new LoggingDetector(p.recorder, {
    stationId: p.config.stationId,
    label,
    presence: {
      sampleRateHz: p.sampleRateHz, hopSec: p.config.detection.hopSec, spanSec: settings.spanSec,
      minPresentSec: settings.minPresentSec, endBelowPresentSec: settings.endBelowPresentSec, updateEverySec: settings.updateEverySec,
    },
  }, {
    classNames: () => model().classNames,
    threshold: () => settings.threshold ?? p.config.detection.classes[label]?.threshold ?? model().metadata.thresholds[label] ?? 0.5,
    modelVersion: () => model().metadata.version,
    caveat: () => model().metadata.weakClasses?.[label] ?? null,
    clipKeyOf: (eventId) => p.detections.get(eventId)?.clipKey,
    emit,
    now: () => p.clock.now(),
  });
}

/** The worker that publishes logging alerts, one at a time so start, updates and end keep their order. */
export function loggingWorker(link: MqttLink, outbox: Outbox, store: SqliteOutgoingStore, clock: Clock, logger: Logger): OutboxWorker<LoggingAlertDraft> {
  return new OutboxWorker('logging', outbox, new PublishLoggingAlerts(link, store, clock), { concurrency: 1, backoff: { minMs: 1000, maxMs: 60_000 }, batch: 20 }, clock, logger);
}
