import type { Random } from '#shared/util/random.js';
import {
  absorptionCoefficients, airAbsorptionDbPerM, speedOfSoundMps, STANDARD_ATMOSPHERE, type AbsorptionCoefficients, type Atmosphere,
} from './atmosphere.js';
import { foliageAttenuationDb } from './foliage.js';
import { groundGain, groundGeometry, type GroundParams } from './ground.js';
import { convolve, minimumPhaseSpectrum, spectrumToFir } from './spectral.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * Outdoor propagation from a point source to a microphone, as one
 * frequency-dependent gain: spherical spreading (20 log10 r re 1 m), ISO 9613-1
 * air absorption, foliage, and the ground reflection. Applied as a
 * minimum-phase filter, so a distant shot keeps a causal, softened onset.
 */
export interface PropagationParams {
  /** Horizontal distance from muzzle to microphone, m (the synthesizer draws 20..1500). */
  distanceM: number;
  /** Part of the path that runs through foliage, m, 0..distanceM (see foliage.ts for the 200 m cap). */
  foliagePathM: number;
  atmosphere: Atmosphere;
  /** Ground reflection; null for free field (no ground). */
  ground: GroundParams | null;
}

/** Slant length of the direct path, m (differs from distanceM only when heights differ). */
export function directPathM(p: Readonly<PropagationParams>): number {
  return p.ground ? groundGeometry(p.distanceM, p.ground).directM : p.distanceM;
}

/**
 * Linear pressure gain at `freqHz` from the source's level at 1 m to the
 * microphone: (1 / r) * 10^(-(absorption + foliage) / 20) * ground gain.
 */
export function propagationGain(freqHz: number, p: Readonly<PropagationParams>): number {
  return propagationGainFunction(p)(freqHz);
}

/** propagationGain with everything that does not depend on frequency computed once. */
export function propagationGainFunction(p: Readonly<PropagationParams>): (freqHz: number) => number {
  const r = directPathM(p);
  const coefficients = absorptionCoefficients(p.atmosphere);
  const foliageM = Math.min(p.foliagePathM, r);
  const soundSpeedMps = speedOfSoundMps(p.atmosphere.temperatureC);
  const spreading = 1 / Math.max(r, 1e-3);
  const ground = p.ground;
  return (freqHz) => {
    const lossDb = airAbsorptionDbPerM(freqHz, coefficients) * r + foliageAttenuationDb(freqHz, foliageM);
    const g = ground ? groundGain(freqHz, p.distanceM, ground, soundSpeedMps) : 1;
    return spreading * 10 ** (-lossDb / 20) * g;
  };
}

/**
 * Minimum-phase spectrum (full complex, 2 * fftSize numbers) of a filter whose
 * magnitude at bin k is gainAt(k * sampleRateHz / fftSize).
 */
export function designMinimumPhase(gainAt: (freqHz: number) => number, fftSize: number, sampleRateHz: number): Float64Array {
  const bins = fftSize / 2 + 1;
  const magnitude = new Float64Array(bins);
  for (let k = 0; k < bins; k++) magnitude[k] = gainAt((k * sampleRateHz) / fftSize);
  return minimumPhaseSpectrum(magnitude, fftSize);
}

/** Spacing of the grid on which the (costly) ground gain is evaluated and then interpolated, Hz. */
const GROUND_GRID_HZ = 8;

/**
 * Minimum-phase spectrum of the full propagation gain, times an optional extra
 * gain (e.g. the microphone's). The ground term is evaluated every 8 Hz and
 * interpolated: its interference pattern repeats every c / (R2 - R1) Hz, at
 * least ~300 Hz for the heights and distances modelled here.
 */
export function propagationSpectrum(
  p: Readonly<PropagationParams>, fftSize: number, sampleRateHz: number, extraGain: (freqHz: number) => number = () => 1,
): Float64Array {
  const ground = p.ground;
  if (!ground) {
    const free = propagationGainFunction(p);
    return designMinimumPhase((f) => free(f) * extraGain(f), fftSize, sampleRateHz);
  }
  // Free-field part along the slant direct path, so that only the ground factor is interpolated.
  const slant = directPathM(p);
  const freeSlant = propagationGainFunction({ ...p, distanceM: slant, ground: null });
  const soundSpeedMps = speedOfSoundMps(p.atmosphere.temperatureC);
  const gridPoints = Math.ceil(sampleRateHz / 2 / GROUND_GRID_HZ) + 2;
  const grid = new Float64Array(gridPoints);
  for (let j = 0; j < gridPoints; j++) grid[j] = groundGain(j * GROUND_GRID_HZ, p.distanceM, ground, soundSpeedMps);
  return designMinimumPhase((f) => {
    const x = f / GROUND_GRID_HZ;
    const j = Math.min(Math.floor(x), gridPoints - 2);
    const g = grid[j] + (grid[j + 1] - grid[j]) * (x - j);
    return freeSlant(f) * g * extraGain(f);
  }, fftSize, sampleRateHz);
}

/** Excess attenuation (air + foliage, no spreading) along a path, as a linear gain. */
export function excessAttenuationGain(
  freqHz: number, pathM: number, foliagePathM: number, atm: Readonly<Atmosphere> | AbsorptionCoefficients,
): number {
  const lossDb = airAbsorptionDbPerM(freqHz, atm) * pathM + foliageAttenuationDb(freqHz, Math.min(foliagePathM, pathM));
  return 10 ** (-lossDb / 20);
}

export interface SimulateDistanceOptions {
  /** Distance at which the recording was made, m (> 0). */
  fromM: number;
  /** Distance to simulate, m (>= fromM). */
  toM: number;
  /** Extra foliage path, m; drawn uniformly from 0..min(toM - fromM, 200) when omitted. */
  foliagePathM?: number;
  /** Default: 20 degC, 70 % RH, 101.325 kPa. */
  atmosphere?: Atmosphere;
  /** Default 16000. */
  sampleRateHz?: number;
  /**
   * Keep the spherical-spreading loss (20 log10(toM / fromM) dB). Default true.
   * Set false to keep the level and change only the spectrum.
   */
  spreading?: boolean;
}

const DISTANCE_FIR_FFT = 4096;
const DISTANCE_FIR_TAPS = 1024;
const MAX_FOLIAGE_M = 200;

/**
 * Moves an existing recording (a real gunshot, say) from `fromM` to `toM`:
 * extra spreading, air absorption over toM - fromM and extra foliage. The ground
 * effect is not added, because the recording already carries its own.
 * Same length as the input; causal (a 1024-tap minimum-phase FIR).
 * Uses `rand` only to draw the foliage path when it is not given.
 */
export function simulateDistance(samples: Float32Array, options: SimulateDistanceOptions, rand: Random): Float32Array {
  const { fromM, toM } = options;
  if (!(fromM > 0) || !(toM >= fromM)) throw new RangeError(`simulateDistance needs 0 < fromM <= toM, got ${fromM} -> ${toM}`);
  const extraM = toM - fromM;
  const foliageM = options.foliagePathM ?? rand.uniform(0, Math.min(extraM, MAX_FOLIAGE_M));
  const atm = options.atmosphere ?? STANDARD_ATMOSPHERE;
  const coefficients = absorptionCoefficients(atm);
  const sampleRateHz = options.sampleRateHz ?? SAMPLE_RATE_HZ;
  const spreading = options.spreading === false ? 1 : fromM / toM;
  const gainAt = (f: number): number => spreading * excessAttenuationGain(f, extraM, foliageM, coefficients);
  const spectrum = designMinimumPhase(gainAt, DISTANCE_FIR_FFT, sampleRateHz);
  const fir = spectrumToFir(spectrum, DISTANCE_FIR_FFT, DISTANCE_FIR_TAPS);
  return convolve(samples, fir, samples.length);
}
