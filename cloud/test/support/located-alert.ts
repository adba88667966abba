import { enuToGeodetic, speedOfSoundMps } from '#shared/geo/enu.js';
import type { AlertLocationFields, StationPosition } from '#shared/mqtt/location.js';
import type { AlertPayload } from '#shared/mqtt/payloads.js';

/** Where the test stations stand, in local metres east/north of REF. */
export type Sites = Record<string, [number, number]>;

export const REF = { latitude: -1.95, longitude: 30.06, altitudeM: 1500 };

export function sitePosition(sites: Sites, id: string): StationPosition {
  const [x, y] = sites[id];
  return { ...enuToGeodetic(REF, { eastM: x, northM: y, upM: 0 }), source: 'config', accuracyM: 1 };
}

/**
 * The alert station `id` raises for a shot fired at `fireMs` from `source`
 * (local metres): its onset delayed by distance / c at `airTemperatureC`, a
 * GPS-disciplined clock. Ids: alert `al-<id>-<n>`, event `ev-<id>-<n>`.
 */
export function locatedAlert(sites: Sites, id: string, n: number, source: [number, number], fireMs: number, airTemperatureC = 20): AlertPayload & AlertLocationFields {
  const [x, y] = sites[id];
  const onset = fireMs + (Math.hypot(source[0] - x, source[1] - y) / speedOfSoundMps(airTemperatureC)) * 1000;
  const iso = new Date(Math.floor(onset)).toISOString();
  return {
    v: 1, alertId: `al-${id}-${n}`, stationId: id, label: 'gunshot', confidence: 0.9, startTime: iso, windowEndTime: iso, shotCount: 1, delayed: false,
    clipKey: `stations/${id}/2026/12/04/ev-${id}-${n}.wav`, modelVersion: '2026.01.01-1', eventId: `ev-${id}-${n}`, raisedAt: iso, sentAt: iso,
    shotOnsetsMs: [onset], position: sitePosition(sites, id), airTemperatureC,
    clock: { synchronized: true, source: 'gps-pps', estimatedErrorMs: 0.5, systemDriftPpm: 0.1, audioDriftPpm: null, timeBase: 'file-name' },
  };
}
