import type { GeoPosition } from '#shared/geo/enu.js';
import type { AlertPayload } from '#shared/mqtt/payloads.js';
import type { AlertLocationFields, ClockState, StationPosition } from '#shared/mqtt/location.js';

/** One station's alert as the correlator sees it. */
export interface AlertObservation {
  stationId: string;
  alertId: string;
  eventId: string;
  label: string;
  confidence: number;
  clipKey: string | null;
  shotCount: number;
  /** First shot's onset, epoch ms with fraction (the alert's startTime when it sent no onsets). */
  onsetMs: number;
  shotOnsetsMs: number[];
  /** 1-sigma error of the station's time stamps, ms. */
  clockErrorMs: number;
  position: GeoPosition | null;
  airTemperatureC: number | null;
  receivedAtMs: number;
}

/** What we assume when a station does not say how good its clock is (NTP over a poor link). */
export const UNKNOWN_CLOCK_ERROR_MS = 50;
/** A station that says its clock is not synchronised can be off by this much or more. */
const UNSYNCHRONISED_CLOCK_ERROR_MS = 1000;
const MAX_ONSETS = 200;

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A position from a payload when it is a real place; null otherwise. */
export function positionOf(p: unknown): StationPosition | null {
  if (typeof p !== 'object' || p === null) return null;
  const { latitude, longitude, altitudeM, accuracyM, source } = p as Partial<StationPosition>;
  if (!finite(latitude) || !finite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return {
    latitude, longitude, altitudeM: finite(altitudeM) ? altitudeM : 0,
    accuracyM: finite(accuracyM) ? accuracyM : null, source: source === 'gpsd' ? 'gpsd' : 'config',
  };
}

/** The clock error a station's report implies, ms (1 sigma). */
export function clockErrorOf(clock: Partial<ClockState> | undefined): number {
  if (!clock || typeof clock !== 'object') return UNKNOWN_CLOCK_ERROR_MS;
  if (clock.synchronized === false) return UNSYNCHRONISED_CLOCK_ERROR_MS;
  return finite(clock.estimatedErrorMs) && clock.estimatedErrorMs >= 0 ? Math.min(clock.estimatedErrorMs, UNSYNCHRONISED_CLOCK_ERROR_MS) : UNKNOWN_CLOCK_ERROR_MS;
}

/** Reads the location fields of an alert that passed the ingest checks; undefined when it has no usable time. */
export function observationOf(p: AlertPayload & AlertLocationFields, receivedAtMs: number): AlertObservation | undefined {
  const onsets = Array.isArray(p.shotOnsetsMs) ? p.shotOnsetsMs.filter(finite).slice(0, MAX_ONSETS).sort((a, b) => a - b) : [];
  const onsetMs = onsets[0] ?? Date.parse(p.startTime);
  if (!Number.isFinite(onsetMs)) return undefined;
  return {
    stationId: p.stationId, alertId: p.alertId, eventId: p.eventId, label: p.label, confidence: p.confidence,
    clipKey: typeof p.clipKey === 'string' && p.clipKey ? p.clipKey : null,
    shotCount: Number.isSafeInteger(p.shotCount) && p.shotCount > 0 ? p.shotCount : Math.max(1, onsets.length),
    onsetMs, shotOnsetsMs: onsets, clockErrorMs: clockErrorOf(p.clock), position: positionOf(p.position),
    airTemperatureC: finite(p.airTemperatureC) && p.airTemperatureC > -60 && p.airTemperatureC < 70 ? p.airTemperatureC : null,
    receivedAtMs,
  };
}
