import type { Random } from '#shared/util/random.js';
import { speedOfSoundMps, type Atmosphere } from './atmosphere.js';
import { crackGeometry, whithamNWave, type BulletTrajectory } from './bullet.js';
import type { GroundParams } from './ground.js';
import type { BulletParams, GunshotParams, ShotParams } from './gunshot.js';
import type { ReverbParams } from './reverb.js';
import type { MuzzleBlast } from './source.js';

/** Firing patterns: one shot, automatic fire (600-900 rounds/min), or aimed repeat shots (0.25-1.5 s apart). */
export type FiringPattern = 'single' | 'automatic' | 'semi';

/**
 * Knobs for randomGunshotParams. Every field is optional; a number fixes the
 * value, a [min, max] pair sets the range it is drawn from. For anything else,
 * edit the returned params (they are plain data).
 */
export interface GunshotOverrides {
  /** Muzzle-to-microphone distance, m. Default [20, 1500], log-uniform. */
  distanceM?: number | readonly [number, number];
  /** Foliage path, m. Default uniform 0..min(distance, 200). */
  foliagePathM?: number;
  /** Default: single 60 %, automatic 20 %, semi 20 %. */
  pattern?: FiringPattern;
  /** Shots in the burst (ignored for 'single'). Default automatic 3..12, semi 2..4. */
  shotCount?: number;
  /** Cyclic rate for automatic fire, rounds per minute. Default [600, 900]. */
  roundsPerMinute?: number | readonly [number, number];
  /** Chance of a supersonic bullet passing near the microphone (a crack). Default 0.4; 0 or 1 to force. */
  crackProbability?: number;
  /** Chance of modelling the ground reflection. Default 0.9. */
  groundProbability?: number;
  /** Chance of forest reverberation. Default 0.9. */
  reverbProbability?: number;
  /** Reverb decay time, s. Default [1, 3]. */
  t60Sec?: number | readonly [number, number];
  /** Default: temperature 5..35 degC, humidity 30..100 %, pressure 95..103 kPa. */
  atmosphere?: Atmosphere;
  /** Silence before the first arrival, s. Default [0.05, 0.5]. */
  leadInSec?: number | readonly [number, number];
  /** Audio after the last blast, s. Default [0.5, 1.2]. */
  tailSec?: number | readonly [number, number];
}

const MAX_FOLIAGE_M = 200;
/** Whitham's durations are clamped to what small-arms cracks measure. */
const CRACK_MIN_SEC = 200e-6;
const CRACK_MAX_SEC = 500e-6;

function draw(rand: Random, value: number | readonly [number, number] | undefined, fallback: readonly [number, number], log = false): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  return log ? rand.logUniform(v[0], v[1]) : rand.uniform(v[0], v[1]);
}

/** Draws a plausible gunshot scene (rifle or shotgun-like blast in a forest). */
export function randomGunshotParams(rand: Random, overrides: GunshotOverrides = {}): GunshotParams {
  const distanceM = draw(rand, overrides.distanceM, [20, 1500], true);
  const atmosphere = overrides.atmosphere ?? {
    temperatureC: rand.uniform(5, 35),
    relativeHumidityPct: rand.uniform(30, 100),
    pressureKpa: rand.uniform(95, 103),
  };
  const ground: GroundParams | null = rand.chance(overrides.groundProbability ?? 0.9)
    ? {
      sourceHeightM: rand.uniform(0.3, 1.8),
      receiverHeightM: rand.uniform(1, 6),
      flowResistivityKpaSPerM2: rand.logUniform(10, 300),
      turbulenceMu2: rand.logUniform(1e-7, 1e-5),
    }
    : null;
  const propagation = {
    distanceM,
    foliagePathM: overrides.foliagePathM ?? rand.uniform(0, Math.min(distanceM, MAX_FOLIAGE_M)),
    atmosphere,
    ground,
  };
  const shots = drawShots(rand, overrides);
  const bullet = rand.chance(overrides.crackProbability ?? 0.4) ? drawBullet(rand, distanceM, speedOfSoundMps(atmosphere.temperatureC), atmosphere.pressureKpa) : null;
  const reverb: ReverbParams | null = rand.chance(overrides.reverbProbability ?? 0.9)
    ? {
      t60Sec: draw(rand, overrides.t60Sec, [1, 3]),
      // Direct sound falls 6 dB per doubling of distance; the diffuse tail hardly does.
      drrDb: Math.min(20, Math.max(-6, rand.uniform(3, 12) - 20 * Math.log10(distanceM / 100))),
      hfDamping: rand.uniform(0.3, 0.8),
    }
    : null;
  return {
    shots,
    bullet,
    propagation,
    reverb,
    leadInSec: draw(rand, overrides.leadInSec, [0.05, 0.5]),
    tailSec: draw(rand, overrides.tailSec, [0.5, 1.2]),
  };
}

function drawShots(rand: Random, overrides: GunshotOverrides): ShotParams[] {
  const pattern = overrides.pattern ?? pickPattern(rand);
  const weapon: MuzzleBlast = {
    peakPaAt1m: rand.logUniform(500, 5000),
    positivePhaseSec: rand.uniform(3e-3, 5e-3),
    decayB: rand.uniform(1, 2.5),
  };
  let count = 1;
  let intervalSec = 0;
  let jitterSec = 0;
  if (pattern === 'automatic') {
    count = overrides.shotCount ?? rand.int(3, 13);
    intervalSec = 60 / draw(rand, overrides.roundsPerMinute, [600, 900]);
    jitterSec = 0.02 * intervalSec;
  } else if (pattern === 'semi') {
    count = overrides.shotCount ?? rand.int(2, 5);
    intervalSec = rand.uniform(0.25, 1.5);
    jitterSec = 0.15 * intervalSec;
  }
  const shots: ShotParams[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    shots.push({
      fireTimeSec: t,
      blast: {
        // Same weapon, but each shot's charge and t+ differ a little.
        peakPaAt1m: weapon.peakPaAt1m * 10 ** (rand.normal(0, 1) / 20),
        positivePhaseSec: rand.uniform(3e-3, 5e-3),
        decayB: weapon.decayB * rand.uniform(0.95, 1.05),
      },
    });
    t += intervalSec + (i + 1 < count ? rand.uniform(-jitterSec, jitterSec) : 0);
  }
  return shots;
}

function pickPattern(rand: Random): FiringPattern {
  const u = rand.next();
  return u < 0.6 ? 'single' : u < 0.8 ? 'automatic' : 'semi';
}

/** A rifle bullet passing the microphone; null when it would be subsonic by then (no crack). */
function drawBullet(rand: Random, distanceM: number, soundSpeedMps: number, pressureKpa: number): BulletParams | null {
  const trajectory: BulletTrajectory = {
    muzzleSpeedMps: rand.uniform(750, 1000),
    dragLengthM: rand.uniform(500, 1500),
    missDistanceM: rand.logUniform(2, Math.max(2.5, Math.min(100, 0.5 * distanceM))),
  };
  const geo = crackGeometry(distanceM, trajectory, soundSpeedMps);
  if (!geo) return null;
  const diameterM = rand.uniform(5.56e-3, 7.82e-3);
  const crack = whithamNWave({ diameterM, lengthM: diameterM * rand.uniform(3.5, 4.5) }, geo.mach, trajectory.missDistanceM, soundSpeedMps, pressureKpa * 1000);
  crack.durationSec = Math.min(CRACK_MAX_SEC, Math.max(CRACK_MIN_SEC, crack.durationSec));
  return { ...trajectory, crack };
}
