import { resample } from '#shared/audio/resampler.js';
import type { Random } from '#shared/util/random.js';
import { absorptionCoefficients, speedOfSoundMps } from './atmosphere.js';
import { crackGeometry, type BulletTrajectory } from './bullet.js';
import { designMinimumPhase, directPathM, excessAttenuationGain, propagationSpectrum, type PropagationParams } from './propagation.js';
import { addReverb, type ReverbParams } from './reverb.js';
import { SOURCE_RATE_HZ, friedlanderWave, nWave, type BulletCrack, type MuzzleBlast } from './source.js';
import { delaySpectrum, inverseToReal, multiplySpectra, realSpectrum } from './spectral.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';

/**
 * Physically modelled gunshots at 16 kHz: Friedlander muzzle blast(s) and an
 * optional supersonic N-wave synthesized at 96 kHz, band-limited to 16 kHz,
 * then propagated (spreading, ISO 9613-1 absorption, foliage, ground
 * reflection), reverberated, and placed in time (bursts, crack ahead of blast).
 */

export interface ShotParams {
  /** When this shot is fired, s after the first shot (0 for the first). */
  fireTimeSec: number;
  blast: MuzzleBlast;
}

/** A supersonic bullet: its flight (for the crack's timing) and the N-wave it makes at the microphone. */
export interface BulletParams extends BulletTrajectory {
  crack: BulletCrack;
}

export interface GunshotParams {
  /** One entry per shot (a burst has several), in firing order. */
  shots: ShotParams[];
  /** Supersonic bullet passing the microphone; null for no crack. Same for every shot. */
  bullet: BulletParams | null;
  propagation: PropagationParams;
  /** Forest reverberation; null for none. */
  reverb: ReverbParams | null;
  /** Time before the first arrival (crack or blast), s. */
  leadInSec: number;
  /** Time kept after the last blast arrives, s (the reverb tail). Ignored when durationSec is set. */
  tailSec: number;
  /** Exact output length, s; audio beyond it is cut. Optional. */
  durationSec?: number;
  /** Low cut of the microphone (second-order high-pass), Hz. Default 20. */
  micHighPassHz?: number;
}

export interface SynthesisOptions {
  /**
   * Scale the output so its largest |sample| is this (default 0.5). null keeps
   * physical units: samples are pascals at the microphone.
   */
  normalizePeak?: number | null;
  /**
   * The 96 kHz pressure waveform at 1 m of each shot, in place of its
   * Friedlander blast (no crack is added then): renders another impulsive
   * source (an impact, a note: the modelled confusers of
   * confuser-source.ts) through the same propagation, ground and reverb.
   * Keep it under about 0.4 s (the per-shot filter is 0.51 s long).
   */
  sourceOf?: (shot: Readonly<ShotParams>, index: number) => Float32Array;
}

export interface SynthesizedGunshot {
  /** Mono audio at 16 kHz. */
  samples: Float32Array;
  sampleRateHz: typeof SAMPLE_RATE_HZ;
  /** Arrival time of each shot's muzzle blast in `samples`, s (direct path). */
  blastArrivalsSec: number[];
  /** Arrival time of each shot's crack, s; empty when there is none. */
  crackArrivalsSec: number[];
  /** Pascals per unit of sample value (1 when normalizePeak is null). */
  paPerUnit: number;
}

/** The 96 kHz source stage of one shot, before band-limiting and propagation (exposed for tests). */
export interface SourceStage {
  sampleRateHz: typeof SOURCE_RATE_HZ;
  /** Friedlander blast, Pa at 1 m, starting at its shock. */
  blast: Float32Array;
  /** N-wave, Pa at the microphone, starting at its leading shock; null without a bullet. */
  crack: Float32Array | null;
}

export function sourceStage96k(shot: Readonly<ShotParams>, bullet: Readonly<BulletParams> | null): SourceStage {
  return {
    sampleRateHz: SOURCE_RATE_HZ,
    blast: friedlanderWave(shot.blast, SOURCE_RATE_HZ),
    crack: bullet ? nWave(bullet.crack, SOURCE_RATE_HZ) : null,
  };
}

/** Zeros put before a 96 kHz source so the resampler's symmetric filter keeps the onset's pre-ringing. */
const SOURCE_PAD_96K = 192;
const SOURCE_PAD_16K = SOURCE_PAD_96K / (SOURCE_RATE_HZ / SAMPLE_RATE_HZ);
/** FFT length of the per-shot propagation filter at 16 kHz (0.51 s: the source, the filter's tail and the delay fit). */
const SHOT_FFT = 8192;
const WRAP_GUARD = 256;

export function micHighPassGain(freqHz: number, cutoffHz: number): number {
  const x = (freqHz / cutoffHz) ** 2;
  return x / Math.sqrt(1 + x * x);
}

/** Renders a gunshot scene at 16 kHz. `rand` draws only the reverberation's noise. */
export function synthesizeGunshot(params: Readonly<GunshotParams>, rand: Random, options: SynthesisOptions = {}): SynthesizedGunshot {
  if (params.shots.length === 0) throw new RangeError('a gunshot needs at least one shot');
  const p = params.propagation;
  const c = speedOfSoundMps(p.atmosphere.temperatureC);
  const bullet = options.sourceOf ? null : params.bullet;
  const geo = bullet ? crackGeometry(p.distanceM, bullet, c) : null;
  const blastDelay = directPathM(p) / c;
  const firstFire = Math.min(...params.shots.map((s) => s.fireTimeSec));
  const firstArrival = firstFire + Math.min(blastDelay, geo ? geo.arrivalSec : Infinity);
  const shift = params.leadInSec - firstArrival;
  const blastArrivalsSec = params.shots.map((s) => s.fireTimeSec + blastDelay + shift);
  const crackArrivalsSec = geo ? params.shots.map((s) => s.fireTimeSec + geo.arrivalSec + shift) : [];
  const durationSec = params.durationSec ?? Math.max(...blastArrivalsSec) + params.tailSec;
  const timeline = new Float64Array(Math.max(1, Math.round(durationSec * SAMPLE_RATE_HZ)));

  const mic = (f: number): number => micHighPassGain(f, params.micHighPassHz ?? 20);
  const blastFilter = propagationSpectrum(p, SHOT_FFT, SAMPLE_RATE_HZ, mic);
  const crackFilter = geo && bullet ? crackPathFilter(p, geo.pathM, mic) : null;
  params.shots.forEach((shot, i) => {
    const source = options.sourceOf ? { blast: options.sourceOf(shot, i), crack: null } : sourceStage96k(shot, geo ? bullet : null);
    addFiltered(timeline, source.blast, blastFilter, blastArrivalsSec[i]);
    if (crackFilter && source.crack) addFiltered(timeline, source.crack, crackFilter, crackArrivalsSec[i]);
  });

  let samples: Float32Array = Float32Array.from(timeline);
  if (params.reverb) samples = addReverb(samples, params.reverb, rand, { sampleRateHz: SAMPLE_RATE_HZ });
  const paPerUnit = normalize(samples, options.normalizePeak === undefined ? 0.5 : options.normalizePeak);
  return { samples, sampleRateHz: SAMPLE_RATE_HZ, blastArrivalsSec, crackArrivalsSec, paPerUnit };
}

/** The crack's own path is short (from the trajectory): no spreading (Whitham's peak already holds it), no ground. */
function crackPathFilter(p: Readonly<PropagationParams>, pathM: number, mic: (f: number) => number): Float64Array {
  const coefficients = absorptionCoefficients(p.atmosphere);
  return designMinimumPhase((f) => excessAttenuationGain(f, pathM, p.foliagePathM, coefficients) * mic(f), SHOT_FFT, SAMPLE_RATE_HZ);
}

/**
 * Band-limits a 96 kHz source to 16 kHz, filters it, and adds it to the
 * timeline so that its first (shock) sample lands at `arrivalSec`, with the
 * sub-sample part of the arrival applied as a phase shift.
 */
function addFiltered(timeline: Float64Array, source96k: Float32Array, filter: Float64Array, arrivalSec: number): void {
  const padded = new Float32Array(source96k.length + 2 * SOURCE_PAD_96K);
  padded.set(source96k, SOURCE_PAD_96K);
  const source16k = resample(padded, SOURCE_RATE_HZ, SAMPLE_RATE_HZ);
  const spectrum = realSpectrum(source16k, SHOT_FFT);
  multiplySpectra(spectrum, filter);
  const position = arrivalSec * SAMPLE_RATE_HZ - SOURCE_PAD_16K;
  const start = Math.floor(position);
  delaySpectrum(spectrum, SHOT_FFT, position - start);
  const filtered = inverseToReal(spectrum, SHOT_FFT);
  // The last samples of the circular result hold whatever wrapped around (the
  // fractional delay's faint pre-ringing); leave them out.
  const end = Math.min(timeline.length, start + SHOT_FFT - WRAP_GUARD);
  for (let i = Math.max(0, start); i < end; i++) timeline[i] += filtered[i - start];
}

/** Scales in place to the given peak; returns pascals per unit. */
function normalize(samples: Float32Array, peak: number | null): number {
  if (peak === null) return 1;
  let max = 0;
  for (let i = 0; i < samples.length; i++) max = Math.max(max, Math.abs(samples[i]));
  if (max === 0) return 1;
  const g = peak / max;
  for (let i = 0; i < samples.length; i++) samples[i] *= g;
  return 1 / g;
}
