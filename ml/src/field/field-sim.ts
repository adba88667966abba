import type { Random } from '#shared/util/random.js';
import { speedOfSoundMps, STANDARD_ATMOSPHERE, type Atmosphere } from '../synth/atmosphere.js';
import { SAMPLE_RATE_HZ as OUTPUT_RATE_HZ } from '#shared/audio/sample-rate.js';
import { synthesizeGunshot } from '../synth/gunshot.js';
import type { GroundParams } from '../synth/ground.js';
import type { MuzzleBlast } from '../synth/source.js';
import { pinkNoise } from './background.js';

/**
 * A simulated field of stations hearing the same shots: each station's audio
 * is its own background plus every shot propagated to it by the gunshot
 * synthesizer (spreading, ISO 9613-1 absorption, foliage, ground), delayed by
 * slant distance / c, and timestamped by the station's own (wrong) clock.
 * Positions are local metres (x east, y north); place them on the globe with
 * `enuToGeodetic` from `#shared/geo/enu.js`.
 */
export interface FieldStation {
  id: string;
  eastM: number;
  northM: number;
  /** Microphone height above ground, m. Default 1.5. */
  heightM?: number;
  /**
   * Station clock minus true time, ms: a station whose clock runs 2 ms ahead
   * stamps every sound 2 ms late. GPS/PPS: about +/-0.001; NTP on a LAN +/-1; NTP over cellular +/-20.
   */
  clockOffsetMs: number;
  /** Background level, Pa RMS (quiet forest 0.001 = 34 dB SPL). Default 0.002. */
  backgroundPaRms?: number;
}

export interface FieldShot {
  eastM: number;
  northM: number;
  /** True firing time of the first shot, s after the (true) start of the recordings. */
  timeSec: number;
  /** Further shots of a burst, s after the first (e.g. [0.08, 0.16] for automatic fire). Default none. */
  burstOffsetsSec?: number[];
  /** Default: 2000 Pa at 1 m, t+ 4 ms, b 1.5 (a rifle). */
  blast?: MuzzleBlast;
  /**
   * Only these stations hear it: a stand-in for a sound made right by one
   * microphone (a branch cracking, a knock on the box) that is inaudible at
   * the next station. Default: everyone within maxRangeM.
   */
  heardBy?: string[];
}

export interface FieldOptions {
  /** Length of every recording, s. */
  durationSec: number;
  /** Default: 20 degC, 70 % RH, 101.325 kPa. */
  atmosphere?: Atmosphere;
  /** Fraction of each path that runs through foliage (capped at 200 m, ISO 9613-2). Default 0.5. */
  foliageFraction?: number;
  /** Ground under the field (flow resistivity etc.); null = free field. Default forest floor. */
  ground?: Omit<GroundParams, 'sourceHeightM' | 'receiverHeightM'> | null;
  /** Muzzle height, m. Default 1.5. */
  shooterHeightM?: number;
  /** Pascals that make a full-scale sample (the microphone's sensitivity). Default 20 Pa. */
  fullScalePa?: number;
  /** Shots farther than this from a station are not heard there at all (saves time), m. Default 3000. */
  maxRangeM?: number;
}

/** Where and when one shot reached one station. */
export interface FieldArrival {
  shotIndex: number;
  /** Index of the shot within its burst. */
  burstIndex: number;
  slantDistanceM: number;
  /** True arrival time, s after the true start of the recordings. */
  trueArrivalSec: number;
  /** Arrival as the station stamps it: trueArrivalSec + clockOffsetMs / 1000. */
  stampedArrivalSec: number;
}

export interface FieldRecording {
  station: FieldStation;
  /** Mono 16 kHz audio, full scale = fullScalePa. */
  samples: Float32Array;
  sampleRateHz: number;
  arrivals: FieldArrival[];
}

const LEAD_IN_SEC = 0.05;
const SHOT_AUDIO_SEC = 1.2;
const DEFAULT_BLAST: MuzzleBlast = { peakPaAt1m: 2000, positivePhaseSec: 4e-3, decayB: 1.5 };
const FOREST_FLOOR = { flowResistivityKpaSPerM2: 40, turbulenceMu2: 1e-6 };

/**
 * Renders one recording per station. Each recording starts when the station's
 * own clock reads 0 (a recorder starting on its clock's whole second), so a
 * station whose clock is ahead started earlier in true time and hears the
 * shot `clockOffsetMs` later into its file: sample i is stamped i / rate.
 */
export function simulateField(stations: readonly FieldStation[], shots: readonly FieldShot[], options: FieldOptions, rand: Random): FieldRecording[] {
  const atmosphere = options.atmosphere ?? STANDARD_ATMOSPHERE;
  const length = Math.round(options.durationSec * OUTPUT_RATE_HZ);
  const fullScalePa = options.fullScalePa ?? 20;
  return stations.map((station, si) => {
    const timeline = pinkNoise(length, station.backgroundPaRms ?? 0.002, rand.fork(`background-${si}`));
    const arrivals: FieldArrival[] = [];
    shots.forEach((shot, shotIndex) => {
      const horizontalM = Math.hypot(shot.eastM - station.eastM, shot.northM - station.northM);
      if (horizontalM > (options.maxRangeM ?? 3000) || (shot.heardBy && !shot.heardBy.includes(station.id))) return;
      const heard = renderShot(timeline, station, shot, horizontalM, options, atmosphere, rand.fork(`shot-${si}-${shotIndex}`));
      for (const [burstIndex, trueArrivalSec] of heard.arrivalsSec.entries()) {
        arrivals.push({
          shotIndex, burstIndex, slantDistanceM: heard.slantM, trueArrivalSec, stampedArrivalSec: trueArrivalSec + station.clockOffsetMs / 1000,
        });
      }
    });
    for (let i = 0; i < length; i++) timeline[i] /= fullScalePa;
    return { station, samples: Float32Array.from(timeline), sampleRateHz: OUTPUT_RATE_HZ, arrivals };
  }).map((r) => ({ ...r, arrivals: r.arrivals.sort((a, b) => a.trueArrivalSec - b.trueArrivalSec) }));
}

/** Adds one shot (or burst) to a station's timeline in pascals; returns the true arrival times. */
function renderShot(
  timeline: Float64Array, station: FieldStation, shot: FieldShot, horizontalM: number, options: FieldOptions, atmosphere: Atmosphere, rand: Random,
): { slantM: number; arrivalsSec: number[] } {
  const c = speedOfSoundMps(atmosphere.temperatureC);
  const shooterHeightM = options.shooterHeightM ?? 1.5;
  const receiverHeightM = station.heightM ?? 1.5;
  const groundSpec = options.ground === undefined ? FOREST_FLOOR : options.ground;
  const ground: GroundParams | null = groundSpec ? { ...groundSpec, sourceHeightM: shooterHeightM, receiverHeightM } : null;
  const distanceM = Math.max(horizontalM, 1);
  const slantM = Math.hypot(distanceM, shooterHeightM - receiverHeightM);
  const offsets = [0, ...(shot.burstOffsetsSec ?? [])];
  const firstArrivalSec = shot.timeSec + slantM / c;
  const firstSample = (firstArrivalSec + station.clockOffsetMs / 1000) * OUTPUT_RATE_HZ;
  const placeAt = Math.floor(firstSample) - Math.round(LEAD_IN_SEC * OUTPUT_RATE_HZ);
  // The synthesizer puts the first arrival at leadInSec with sub-sample precision; the integer part is our offset.
  const leadInSec = (firstSample - placeAt) / OUTPUT_RATE_HZ;
  const rendered = synthesizeGunshot({
    shots: offsets.map((fireTimeSec) => ({ fireTimeSec, blast: shot.blast ?? DEFAULT_BLAST })),
    bullet: null,
    propagation: { distanceM, foliagePathM: Math.min(200, distanceM * (options.foliageFraction ?? 0.5)), atmosphere, ground },
    reverb: { t60Sec: 1.5, drrDb: Math.min(20, Math.max(-6, 8 - 20 * Math.log10(distanceM / 100))), hfDamping: 0.5 },
    leadInSec,
    tailSec: SHOT_AUDIO_SEC,
  }, rand, { normalizePeak: null });
  for (let i = 0; i < rendered.samples.length; i++) {
    const j = placeAt + i;
    if (j >= 0 && j < timeline.length) timeline[j] += rendered.samples[i];
  }
  return { slantM, arrivalsSec: offsets.map((o) => firstArrivalSec + o) };
}
