import { distanceM, enuToGeodetic, geodeticToEnu, speedOfSoundMps, type GeoPosition } from '#shared/geo/enu.js';
import type { IncidentCorroboration, IncidentLocation, IncidentPayload, IncidentStation } from '#shared/mqtt/location.js';
import { alignBurstOnsets } from './burst-alignment.js';
import { locateSource, type LocateResult, type LocateStation } from './locate.js';
import type { AlertObservation } from './observations.js';
import type { StationRegistry } from './station-registry.js';

export interface CorrelatorOptions {
  /** How far a gunshot is heard, m: neighbours this close should have heard it. Default 1500. */
  hearingRangeM: number;
  /**
   * A station's next alert within this of its last onset continues the same
   * incident, s. Stations already fold a burst into one alert (mqtt.alertCooldownSec),
   * so this only matters with short station cooldowns; a larger value would merge
   * separate shots by the same station.
   */
  burstGapSec: number;
  /** Time after the last alert arrived before the incident's verdict is final, s. */
  settleSec: number;
  /** Air temperature when no station reports one, degC. */
  defaultAirTemperatureC: number;
  /** Onset picking error allowed on top of the clock errors, ms. */
  onsetMarginMs: number;
  /** Incidents kept in memory (oldest dropped). */
  maxIncidents: number;
}

export const DEFAULT_CORRELATOR_OPTIONS: CorrelatorOptions = {
  hearingRangeM: 1500, burstGapSec: 3, settleSec: 10, defaultAirTemperatureC: 20, onsetMarginMs: 5, maxIncidents: 2000,
};

/** One incident while it is being assembled. */
export interface Incident {
  id: string;
  label: string;
  /** Per station, its alerts in onset order; the first one's onset is the one located. */
  members: Map<string, AlertObservation[]>;
  corroboration: IncidentCorroboration;
  silentStations: string[];
  location: LocateResult | null;
  origin: GeoPosition;
  speedOfSoundMps: number;
  settlesAtMs: number;
  /** First onset seen (the correlator's quick range check). */
  anchorMs: number;
  open: boolean;
  updatedAtMs: number;
}

export type AddOutcome = { incident: Incident; type: 'new' | 'update' } | { incident: Incident; type: 'duplicate' };

/**
 * Groups alerts from different stations into incidents: a new alert joins an
 * incident when its onset differs from every member's by no more than the
 * sound's travel time between the two stations plus both clocks' errors (a
 * real shot is heard at times that fit one point; two unrelated sounds rarely
 * do). A later alert from a station already in the incident joins it as the
 * rest of a burst. Matching is on onset times, not arrival, so alerts that
 * waited out a link loss still find their incident.
 */
export class IncidentCorrelator {
  private readonly incidents: Incident[] = [];
  private readonly alertIds = new Map<string, Incident>();

  constructor(private readonly options: CorrelatorOptions, private readonly registry: StationRegistry) {}

  add(o: AlertObservation, nowMs: number): AddOutcome {
    const seen = this.alertIds.get(o.alertId);
    if (seen) return { incident: seen, type: 'duplicate' };
    const incident = this.findMatch(o);
    const type = incident ? 'update' : 'new';
    const target = incident ?? this.create(o);
    const list = target.members.get(o.stationId) ?? [];
    list.push(o);
    list.sort((a, b) => a.onsetMs - b.onsetMs);
    target.members.set(o.stationId, list);
    this.alertIds.set(o.alertId, target);
    target.settlesAtMs = nowMs + this.options.settleSec * 1000;
    target.open = true;
    this.evaluate(target, nowMs);
    return { incident: target, type };
  }

  /** Closes incidents whose settle time has passed (re-judging corroboration); returns them. */
  sweep(nowMs: number): Incident[] {
    const closed = this.incidents.filter((i) => i.open && nowMs >= i.settlesAtMs);
    for (const i of closed) {
      i.open = false;
      this.evaluate(i, nowMs);
    }
    return closed;
  }

  list(): Incident[] {
    return [...this.incidents].sort((a, b) => firstOnset(b) - firstOnset(a));
  }

  get(id: string): Incident | undefined {
    return this.incidents.find((i) => i.id === id);
  }

  private create(o: AlertObservation): Incident {
    const incident: Incident = {
      id: `in-${o.alertId.replace(/^al-/, '')}`, label: o.label, members: new Map(), corroboration: 'single-unknown', silentStations: [],
      location: null, origin: o.position ?? { latitude: 0, longitude: 0 }, speedOfSoundMps: speedOfSoundMps(this.options.defaultAirTemperatureC),
      settlesAtMs: 0, anchorMs: o.onsetMs, open: true, updatedAtMs: 0,
    };
    this.incidents.push(incident);
    if (this.incidents.length > this.options.maxIncidents) {
      const dropped = this.incidents.shift() as Incident;
      for (const list of dropped.members.values()) for (const a of list) this.alertIds.delete(a.alertId);
    }
    return incident;
  }

  private findMatch(o: AlertObservation): Incident | undefined {
    let best: { incident: Incident; slack: number } | undefined;
    for (const incident of this.incidents) {
      if (incident.label !== o.label || Math.abs(o.onsetMs - incident.anchorMs) > this.maxSpanMs(incident)) continue;
      const slack = this.fit(incident, o);
      if (slack !== undefined && (!best || slack < best.slack)) best = { incident, slack };
    }
    return best?.incident;
  }

  /**
   * How well `o` fits `incident`: the worst ratio of |dt| to what the pair allows
   * (<= 1 fits), or undefined when it does not fit at all.
   */
  private fit(incident: Incident, o: AlertObservation): number | undefined {
    const own = incident.members.get(o.stationId);
    if (own) {
      const last = own[own.length - 1].onsetMs;
      const gap = o.onsetMs - last;
      return gap >= -this.options.onsetMarginMs && gap <= this.options.burstGapSec * 1000 ? 0 : undefined;
    }
    const c = this.speedFor(incident, o);
    const mine = onsetsOf([o]);
    let worst = 0;
    for (const [, list] of incident.members) {
      const m = list[0];
      const rangeM = m.position && o.position ? distanceM(m.position, o.position) : this.options.hearingRangeM * 2;
      const allowedMs = (rangeM / c) * 1000 + 2 * (m.clockErrorMs + o.clockErrorMs) + this.options.onsetMarginMs;
      // In a burst two stations may have detected different shots first: any pair of their onsets may be the same shot.
      const theirs = onsetsOf(list);
      const closestMs = Math.min(...mine.map((a) => Math.min(...theirs.map((b) => Math.abs(a - b)))));
      const ratio = closestMs / allowedMs;
      if (ratio > 1) return undefined;
      worst = Math.max(worst, ratio);
    }
    return worst;
  }

  /** No alert further than this from an incident's first onset can join it, ms (bursts extend it). */
  private maxSpanMs(incident: Incident): number {
    const burstMs = Math.max(...[...incident.members.values()].map((l) => l[l.length - 1].onsetMs - incident.anchorMs));
    return burstMs + this.options.burstGapSec * 1000 + ((this.options.hearingRangeM * 2) / 300) * 1000 + 4 * 1000 + this.options.onsetMarginMs;
  }

  private speedFor(incident: Incident, extra?: AlertObservation): number {
    const temps = [...incident.members.values()].map((l) => l[0].airTemperatureC).concat(extra ? [extra.airTemperatureC] : []).filter((t): t is number => t !== null);
    const t = temps.length > 0 ? temps.reduce((s, v) => s + v, 0) / temps.length : this.options.defaultAirTemperatureC;
    return speedOfSoundMps(t);
  }

  /** Each placed station's onset of the same (first) shot of a burst; see burst-alignment.ts. */
  private alignedOnsets(incident: Incident, placed: readonly AlertObservation[]): Map<string, number> {
    const farthestM = Math.max(0, ...placed.flatMap((a) => placed.map((b) => distanceM(a.position as GeoPosition, b.position as GeoPosition))));
    const maxErrorMs = Math.max(0, ...placed.map((f) => f.clockErrorMs));
    const maxShiftMs = (farthestM / incident.speedOfSoundMps) * 1000 + 4 * maxErrorMs + this.options.onsetMarginMs;
    return alignBurstOnsets(placed.map((f) => {
      return { id: f.stationId, onsetsMs: onsetsOf(incident.members.get(f.stationId) ?? [f]).sort((x, y) => x - y), maxShiftMs };
    }));
  }

  /** Recomputes corroboration and location after a change. */
  private evaluate(incident: Incident, nowMs: number): void {
    incident.updatedAtMs = nowMs;
    incident.speedOfSoundMps = this.speedFor(incident);
    const firsts = [...incident.members.values()].map((l) => l[0]);
    const placed = firsts.filter((f) => f.position);
    if (placed.length > 0) incident.origin = centroid(placed.map((f) => f.position as GeoPosition));
    if (firsts.length >= 2) {
      incident.corroboration = 'corroborated';
      incident.silentStations = [];
    } else {
      const at = firsts[0].position ?? this.registry.get(firsts[0].stationId)?.position ?? null;
      const silent = at ? this.registry.listeningWithin(at, this.options.hearingRangeM, nowMs).filter((s) => !incident.members.has(s.stationId)) : [];
      incident.silentStations = silent.map((s) => s.stationId);
      incident.corroboration = silent.length > 0 ? 'uncorroborated' : 'single-unknown';
    }
    const onsets = this.alignedOnsets(incident, placed);
    const t0 = Math.min(...placed.map((f) => onsets.get(f.stationId) ?? f.onsetMs));
    const stations: LocateStation[] = placed.map((f) => {
      const e = geodeticToEnu(incident.origin, f.position as GeoPosition);
      return { id: f.stationId, eastM: e.eastM, northM: e.northM, upM: e.upM, onsetSec: ((onsets.get(f.stationId) ?? f.onsetMs) - t0) / 1000, clockErrorMs: f.clockErrorMs };
    });
    incident.location = locateSource(stations, { speedOfSoundMps: incident.speedOfSoundMps }) ?? null;
  }
}

/** Every shot onset of some alerts (the alert's onset when it sent none). */
function onsetsOf(alerts: readonly AlertObservation[]): number[] {
  return alerts.flatMap((a) => (a.shotOnsetsMs.length > 0 ? a.shotOnsetsMs : [a.onsetMs]));
}

function firstOnset(i: Incident): number {
  return Math.min(...[...i.members.values()].map((l) => l[0].onsetMs));
}

function centroid(points: readonly GeoPosition[]): GeoPosition {
  const ref = points[0];
  const sum = points.reduce((s, p) => {
    const e = geodeticToEnu(ref, p);
    return { eastM: s.eastM + e.eastM, northM: s.northM + e.northM, upM: s.upM + e.upM };
  }, { eastM: 0, northM: 0, upM: 0 });
  const n = points.length;
  return enuToGeodetic(ref, { eastM: sum.eastM / n, northM: sum.northM / n, upM: sum.upM / n });
}

/** The wire form of an incident (MQTT `<prefix>/incidents`, /api/incidents, /api/live). */
export function incidentPayload(incident: Incident, type: 'new' | 'update'): IncidentPayload {
  const firsts = [...incident.members.values()].map((l) => l[0]).sort((a, b) => a.onsetMs - b.onsetMs);
  const loc = incident.location;
  const stations: IncidentStation[] = firsts.map((f) => {
    const e = f.position ? geodeticToEnu(incident.origin, f.position) : { eastM: 0, northM: 0 };
    const residual = loc?.residualsMs.get(f.stationId);
    const all = incident.members.get(f.stationId) ?? [f];
    return {
      stationId: f.stationId, alertId: f.alertId, eventId: f.eventId, onsetTime: new Date(Math.floor(f.onsetMs)).toISOString(), onsetMs: f.onsetMs,
      shotOnsetsMs: all.flatMap((a) => (a.shotOnsetsMs.length > 0 ? a.shotOnsetsMs : [a.onsetMs])), clipKey: f.clipKey, confidence: f.confidence,
      eastM: round(e.eastM), northM: round(e.northM), residualMs: residual === undefined || residual === null ? null : round(residual, 3),
      excluded: loc?.kind === 'point' && residual === null && f.position !== null,
    };
  });
  const shotCount = Math.max(...[...incident.members.values()].map((l) => l.reduce((s, a) => s + a.shotCount, 0)));
  return {
    v: 1, type, incidentId: incident.id, label: incident.label, startTime: stations[0].onsetTime, shotCount,
    corroboration: incident.corroboration, silentStations: incident.silentStations, stations,
    origin: { latitude: incident.origin.latitude, longitude: incident.origin.longitude },
    location: loc ? locationOf(loc, incident) : null,
    priority: incident.corroboration === 'uncorroborated' ? 'low' : 'high',
    open: incident.open, updatedAt: new Date(incident.updatedAtMs).toISOString(),
  };
}

function locationOf(loc: LocateResult, incident: Incident): IncidentLocation {
  const g = enuToGeodetic(incident.origin, { eastM: loc.eastM, northM: loc.northM, upM: 0 });
  return {
    kind: loc.kind, latitude: g.latitude, longitude: g.longitude, eastM: round(loc.eastM), northM: round(loc.northM),
    ellipse: loc.ellipse ? { semiMajorM: round(loc.ellipse.semiMajorM), semiMinorM: round(loc.ellipse.semiMinorM), orientationDeg: round(loc.ellipse.orientationDeg, 1) } : null,
    bearingsDeg: loc.bearingsDeg?.map((b) => round(b, 1)) ?? null, rmsResidualMs: round(loc.rmsResidualMs, 3), flags: loc.flags,
    speedOfSoundMps: round(incident.speedOfSoundMps),
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
