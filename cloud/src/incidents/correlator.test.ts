import { describe, expect, it } from 'vitest';
import { enuToGeodetic, geodeticToEnu, speedOfSoundMps } from '#shared/geo/enu.js';
import { DEFAULT_CORRELATOR_OPTIONS, IncidentCorrelator, incidentPayload } from './correlator.js';
import type { AlertObservation } from './observations.js';
import { StationRegistry } from './station-registry.js';

const REF = { latitude: -2.5, longitude: 34.8, altitudeM: 1200 };
const C = speedOfSoundMps(20);
const T0 = Date.UTC(2026, 11, 4, 10, 0, 0);
const SITES: Record<string, [number, number]> = { a: [0, 0], b: [500, 0], c: [500, 500], d: [0, 500], far: [9000, 0] };

let alertCounter = 0;
function heard(station: string, source: [number, number], fireMs: number, patch: Partial<AlertObservation> = {}): AlertObservation {
  const [x, y] = SITES[station];
  const onsetMs = fireMs + (Math.hypot(source[0] - x, source[1] - y) / C) * 1000;
  return {
    stationId: station, alertId: `al-${++alertCounter}`, eventId: `ev-${alertCounter}`, label: 'gunshot', confidence: 0.9, clipKey: null, shotCount: 1,
    onsetMs, shotOnsetsMs: [onsetMs], clockErrorMs: 1, position: enuToGeodetic(REF, { eastM: x, northM: y, upM: 0 }), airTemperatureC: null,
    receivedAtMs: onsetMs + 500, ...patch,
  };
}

function setup(online: string[] = []) {
  const registry = new StationRegistry(300_000);
  for (const id of online) registry.seen(id, T0, { state: 'online', position: { ...enuToGeodetic(REF, { eastM: SITES[id][0], northM: SITES[id][1], upM: 0 }) } });
  return { registry, correlator: new IncidentCorrelator(DEFAULT_CORRELATOR_OPTIONS, registry) };
}

describe('IncidentCorrelator', () => {
  it('joins alerts whose onsets fit one point into one located incident', () => {
    const { correlator } = setup();
    const source: [number, number] = [180, 320];
    const outcomes = ['c', 'a', 'd', 'b'].map((s) => correlator.add(heard(s, source, T0), T0 + 1000));
    expect(outcomes.map((o) => o.type)).toEqual(['new', 'update', 'update', 'update']);
    const payload = incidentPayload(outcomes[3].incident, 'update');
    expect(payload.corroboration).toBe('corroborated');
    expect(payload.stations.map((s) => s.stationId).sort()).toEqual(['a', 'b', 'c', 'd']);
    const loc = payload.location;
    expect(loc?.kind).toBe('point');
    // The local frame's origin is the stations' centroid (250, 250).
    expect(Math.hypot((loc?.eastM ?? 0) + 250 - source[0], (loc?.northM ?? 0) + 250 - source[1])).toBeLessThan(0.1);
    expect(loc?.ellipse?.semiMajorM).toBeGreaterThan(0);
    expect(payload.priority).toBe('high');
    expect(payload.startTime).toBe(new Date(Math.floor(Math.min(...payload.stations.map((s) => s.onsetMs)))).toISOString());
  });

  it('keeps apart alerts whose time difference exceeds the travel time between the stations', () => {
    const { correlator } = setup();
    const first = correlator.add(heard('a', [0, 0], T0), T0);
    // 500 m apart: at most 1.46 s (+ clock errors); this one is 2 s later than the shot at 'a' could explain.
    const second = correlator.add(heard('b', [500, 0], T0 + 2000), T0);
    expect(second.type).toBe('new');
    expect(second.incident.id).not.toBe(first.incident.id);
  });

  it('marks a one-station alert uncorroborated when online neighbours in range heard nothing, single-unknown when none listen', () => {
    const lonely = setup(['a', 'b', 'far']);
    const out = lonely.correlator.add(heard('a', [10, 10], T0), T0 + 1000);
    const payload = incidentPayload(out.incident, 'new');
    expect(payload.corroboration).toBe('uncorroborated');
    expect(payload.silentStations).toEqual(['b']);
    expect(payload.priority).toBe('low');
    expect(payload.location).toBeNull();

    const alone = setup([]);
    alone.registry.seen('b', T0, { state: 'offline', position: enuToGeodetic(REF, { eastM: 500, northM: 0, upM: 0 }) });
    expect(incidentPayload(alone.correlator.add(heard('a', [10, 10], T0), T0).incident, 'new').corroboration).toBe('single-unknown');
  });

  it('turns a burst (several alerts per station) into one incident and counts its shots', () => {
    const { correlator } = setup();
    const source: [number, number] = [250, 100];
    const ids = new Set<string>();
    for (const s of ['a', 'b', 'c']) ids.add(correlator.add(heard(s, source, T0, { shotCount: 3 }), T0).incident.id);
    // Stations with a short cooldown closed their first alert; the burst goes on 2 s later.
    for (const s of ['a', 'b', 'c']) ids.add(correlator.add(heard(s, source, T0 + 2000, { shotCount: 2 }), T0 + 3000).incident.id);
    expect(ids.size).toBe(1);
    const payload = incidentPayload(correlator.list()[0], 'update');
    expect(payload.shotCount).toBe(5);
    expect(payload.stations[0].shotOnsetsMs).toHaveLength(2);
  });

  it('joins burst alerts whose first onsets are different shots (one station missed the first ones)', () => {
    const { correlator } = setup();
    const burst = [0, 350, 800, 1100, 1600];
    const at = (s: string, from: number) => {
      const base = heard(s, [250, 20], T0);
      const onsets = burst.slice(from).map((t) => base.onsetMs + t);
      return { ...base, onsetMs: onsets[0], shotOnsetsMs: onsets };
    };
    const a = correlator.add(at('a', 0), T0);
    // 'b' (250 m away) only detected from the fourth shot on: 1.1 s after its first shot would have arrived.
    const b = correlator.add(at('b', 3), T0);
    const c = correlator.add(at('c', 1), T0);
    expect(new Set([a.incident.id, b.incident.id, c.incident.id]).size).toBe(1);
    // The shot lists line up, so every station's onset of the first shot is known and the fit is exact.
    const loc = incidentPayload(c.incident, 'update').location;
    expect(loc?.rmsResidualMs).toBeLessThan(0.01);
    const e = geodeticToEnu(REF, { latitude: loc?.latitude ?? 0, longitude: loc?.longitude ?? 0 });
    expect(Math.hypot(e.eastM - 250, e.northM - 20)).toBeLessThan(0.5);
  });

  it('a station\'s alert well after its last one (a new shot) starts a new incident', () => {
    const { correlator } = setup();
    const first = correlator.add(heard('a', [100, 100], T0), T0);
    const later = correlator.add(heard('a', [100, 100], T0 + 7000), T0 + 7000);
    expect(later.type).toBe('new');
    expect(later.incident.id).not.toBe(first.incident.id);
  });

  it('ignores a redelivered alert (QoS 1) and settles incidents after the quiet time', () => {
    const { correlator } = setup(['a', 'b']);
    const o = heard('a', [0, 0], T0);
    const first = correlator.add(o, T0);
    expect(correlator.add({ ...o }, T0 + 10).type).toBe('duplicate');
    expect(first.incident.open).toBe(true);
    expect(correlator.sweep(T0 + 1000)).toEqual([]);
    const settled = correlator.sweep(T0 + DEFAULT_CORRELATOR_OPTIONS.settleSec * 1000 + 1);
    expect(settled.map((i) => i.id)).toEqual([first.incident.id]);
    expect(settled[0].open).toBe(false);
  });

  it('two stations give a bearing, not a point', () => {
    const { correlator } = setup();
    correlator.add(heard('a', [-2000, 0], T0), T0);
    const out = correlator.add(heard('b', [-2000, 0], T0), T0);
    const loc = incidentPayload(out.incident, 'update').location;
    expect(loc?.kind).toBe('bearing');
    expect(loc?.flags).toContain('two-stations');
    // Due west of the pair: one of the two bearings is 270 degrees.
    expect(loc?.bearingsDeg?.some((b) => Math.abs(b - 270) < 1)).toBe(true);
  });
});
