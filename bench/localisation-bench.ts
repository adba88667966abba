/**
 * Localisation figures for issue 15 (printed by `npm run bench`, never asserted):
 *  - error of the located position (median, p90) against station clock error
 *    (0, 1, 5, 20 ms) and spacing (300, 450, 600 m): five stations, shots
 *    inside the hull, each station's audio from the field simulator, onsets
 *    picked by the station's own picker, located by the cloud's solver;
 *  - false incidents when every station raises uncorrelated false alarms.
 * The classifier is not in the loop (every shot counts as detected): these are
 * the timing and geometry limits; the field test covers the whole chain.
 */
import { enuToGeodetic, speedOfSoundMps } from '#shared/geo/enu.js';
import { createRandom, type Random } from '#shared/util/random.js';
import { ringLayout, shotInside, simulateField, type FieldStation } from '#ml/field/index.js';
import { DEFAULT_CORRELATOR_OPTIONS, IncidentCorrelator, type Incident } from '../cloud/src/incidents/correlator.js';
import { locateSource } from '../cloud/src/incidents/locate.js';
import type { AlertObservation } from '../cloud/src/incidents/observations.js';
import { StationRegistry } from '../cloud/src/incidents/station-registry.js';
import { pickShotOnsets } from '../station/src/pipeline/onset-picker.js';

export interface LocalisationRow {
  spacingM: number;
  clockErrorMs: number;
  shots: number;
  medianM: number;
  p90M: number;
}

const RIFLE = { peakPaAt1m: 4000, positivePhaseSec: 4e-3, decayB: 1.5 };
const C = speedOfSoundMps(20);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Picked onsets (s, true time base) of one shot at every station; undefined where nothing was picked. */
function pickedOnsets(stations: readonly FieldStation[], rand: Random): { shot: { eastM: number; northM: number }; onsetsSec: Array<number | undefined> } {
  const shot = shotInside(stations, 0.3, rand, { blast: RIFLE });
  const recordings = simulateField(stations.map((s) => ({ ...s, clockOffsetMs: 0 })), [shot], { durationSec: 3.5 }, rand.fork('audio'));
  const onsetsSec = recordings.map((r) => {
    const onsets = pickShotOnsets(r.samples, { sampleRateHz: r.sampleRateHz });
    return onsets.length > 0 ? onsets[0] / r.sampleRateHz : undefined;
  });
  return { shot, onsetsSec };
}

export function measureLocalisation(shotsPerSpacing = 15, spacingsM = [300, 450, 600], clockErrorsMs = [0, 1, 5, 20]): LocalisationRow[] {
  const rows: LocalisationRow[] = [];
  for (const spacingM of spacingsM) {
    const rand = createRandom(`bench-${spacingM}`);
    const stations = ringLayout({ count: 5, spacingM, clockErrorMs: 0, backgroundPaRms: 0.001 }, rand);
    // The audio (and the picking error) does not depend on the clocks: simulate once, then offset the stamps.
    const picked = Array.from({ length: shotsPerSpacing }, (_, i) => pickedOnsets(stations, rand.fork(i)));
    for (const clockErrorMs of clockErrorsMs) {
      const errors: number[] = [];
      const clocks = rand.fork(`clocks-${clockErrorMs}`);
      for (const { shot, onsetsSec } of picked) {
        for (let draw = 0; draw < 4; draw++) {
          const obs = stations.flatMap((s, i) => {
            const t = onsetsSec[i];
            if (t === undefined) return [];
            const offsetMs = clocks.uniform(-clockErrorMs, clockErrorMs);
            // +/- e uniform has a standard deviation of e / sqrt(3).
            return [{ id: s.id, eastM: s.eastM, northM: s.northM, upM: 0, onsetSec: t + offsetMs / 1000, clockErrorMs: Math.max(clockErrorMs / Math.sqrt(3), 0.05) }];
          });
          const fix = locateSource(obs, { speedOfSoundMps: C });
          if (fix?.kind === 'point') errors.push(Math.hypot(fix.eastM - shot.eastM, fix.northM - shot.northM));
        }
      }
      errors.sort((a, b) => a - b);
      rows.push({ spacingM, clockErrorMs, shots: errors.length, medianM: percentile(errors, 0.5), p90M: percentile(errors, 0.9) });
    }
  }
  return rows;
}

export interface FalseIncidentRow {
  perStationPerHour: number;
  hours: number;
  alerts: number;
  /** Incidents two or more stations "corroborate" by chance, per hour. */
  corroboratedPerHour: number;
  /** Of those, ones with 3+ stations whose times also fit one point (no large residual), per hour. */
  locatedPerHour: number;
}

/** Uncorrelated false alarms (Poisson, `ratePerHour` at each of five stations 450 m apart) through the correlator. */
export function measureFalseIncidents(ratePerHour: number, hours: number): FalseIncidentRow {
  const rand = createRandom(`false-${ratePerHour}`);
  const ref = { latitude: 0, longitude: 0 };
  const stations = ringLayout({ count: 5, spacingM: 450, clockErrorMs: 1 }, rand);
  const registry = new StationRegistry(Infinity);
  const correlator = new IncidentCorrelator(DEFAULT_CORRELATOR_OPTIONS, registry);
  const alerts: AlertObservation[] = [];
  for (const s of stations) {
    const position = enuToGeodetic(ref, { eastM: s.eastM, northM: s.northM, upM: 0 });
    for (let t = -Math.log(1 - rand.next()) / ratePerHour; t < hours; t += -Math.log(1 - rand.next()) / ratePerHour) {
      const onsetMs = t * 3_600_000;
      alerts.push({
        stationId: s.id, alertId: `al-${s.id}-${alerts.length}`, eventId: `ev-${alerts.length}`, label: 'gunshot', confidence: 0.9, clipKey: null, shotCount: 1,
        onsetMs, shotOnsetsMs: [onsetMs], clockErrorMs: 1, position, airTemperatureC: null, receivedAtMs: onsetMs,
      });
    }
  }
  alerts.sort((a, b) => a.onsetMs - b.onsetMs);
  const incidents: Incident[] = [];
  const seen = new Set<string>();
  // The correlator keeps the newest 2000 incidents (its production bound): collect as they are made.
  for (const a of alerts) {
    const { incident } = correlator.add(a, a.receivedAtMs);
    if (!seen.has(incident.id)) {
      seen.add(incident.id);
      incidents.push(incident);
    }
  }
  const corroborated = incidents.filter((i) => i.members.size >= 2);
  const located = corroborated.filter((i) => i.members.size >= 3 && i.location?.kind === 'point' && !i.location.flags.includes('large-residual'));
  return { perStationPerHour: ratePerHour, hours, alerts: alerts.length, corroboratedPerHour: corroborated.length / hours, locatedPerHour: located.length / hours };
}
