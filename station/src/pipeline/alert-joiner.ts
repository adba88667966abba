import type { AlertLocationFields } from '#shared/mqtt/location.js';
import type { DetectionEvent } from '#shared/pipeline/types.js';
import { alertPayload } from '../actions/message-payloads.js';
import type { SegmentInfo } from '../core/segment.js';
import type { AlertStore } from '../store/alert-store.js';
import type { DetectionRecord, DetectionStore } from '../store/detection-store.js';
import type { Outbox } from '../store/outbox.js';

export interface AlertJoinerOptions {
  stationId: string;
  sampleRateHz: number;
  /** A detection of the same class this close to the previous alert joins it instead of raising a new one. */
  alertCooldownSec: number;
  /** Whether MQTT is configured: otherwise alerts are kept as `local` in the outbox. */
  mqttEnabled: boolean;
}

/**
 * One alert per burst: an alerting detection either joins the alert of its
 * class raised within the cooldown, or raises a new one and queues its MQTT
 * message. Runs inside the caller's transaction, so the detection, its alert
 * and the queued message commit together.
 */
export class AlertJoiner {
  constructor(
    private readonly options: AlertJoinerOptions,
    private readonly stores: { alerts: AlertStore; detections: DetectionStore; outbox: Outbox },
  ) {}

  /** `extras` (position, clock state, UTC shot onsets) go into a new alert's payload. */
  raiseOrJoin(segment: SegmentInfo, detection: DetectionRecord, event: DetectionEvent, shots: number, nowMs: number, extras?: AlertLocationFields): void {
    const { alerts, detections, outbox } = this.stores;
    if (detection.alertId) return; // replay of an event that already has its alert
    const cooldownSamples = this.options.alertCooldownSec * this.options.sampleRateHz;
    const joinable = alerts.findJoinable(event.label, segment.id, event.startSample, cooldownSamples, detection.startTimeMs, this.options.alertCooldownSec * 1000);
    if (joinable && joinable.detectionId !== detection.id) {
      detections.setAlert(detection.id, joinable.id);
      alerts.extend(joinable.id, event.endSample, detection.endTimeMs, event.peakConfidence);
      return;
    }
    const alertId = alertIdFor(detection.id);
    alerts.insert({
      id: alertId, label: event.label, detectionId: detection.id, segmentId: segment.id, lastSample: event.endSample,
      firstTimeMs: detection.startTimeMs, lastTimeMs: detection.endTimeMs, shotCount: shots, confidence: event.peakConfidence, raisedAtMs: nowMs,
    });
    detections.setAlert(detection.id, alertId);
    const payload = { ...alertPayload(this.options.stationId, alertId, detection, event, shots, nowMs), ...extras };
    outbox.enqueue('alert', `alert:${alertId}`, payload, nowMs, { priority: 10, state: this.options.mqttEnabled ? 'pending' : 'local' });
  }
}

/**
 * The alert raised by an event is named after it: `<stationId>.ev-<hash>` ->
 * `<stationId>.al-<hash>` (a legacy `ev-<hash>` -> `al-<hash>`).
 */
export function alertIdFor(eventId: string): string {
  const at = eventId.indexOf('.ev-');
  if (at > 0) return `${eventId.slice(0, at)}.al-${eventId.slice(at + 4)}`;
  return `al-${eventId.replace(/^ev-/, '')}`;
}
