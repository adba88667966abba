import type { Random } from '#shared/util/random.js';

/**
 * How a sawyer works the throttle, and how the engine's speed answers.
 *
 * A program is a list of steps. Each step sets what the throttle asks for
 * (idle, a short blip, wide open) and whether the chain is in wood; the engine
 * follows with first-order lags (it spins up faster than it coasts down) and,
 * under cutting load, sags from its unloaded speed: a saw that screams at
 * 12,500 rpm in the air runs at 8,000-10,000 rpm in a log.
 */
export type ThrottleStepKind = 'idle' | 'blip' | 'rev' | 'cut' | 'release';

export interface ThrottleStep {
  kind: ThrottleStepKind;
  /** Length of the step, s. A blip's rise and fall both fit inside it. */
  durationSec: number;
}

export interface EngineParams {
  /** Idle speed, rpm (2,500-3,500 typical). */
  idleRpm: number;
  /** Wide-open, unloaded speed, rpm (11,000-14,000). */
  maxRpm: number;
  /** Peak speed of a throttle blip, rpm. */
  blipRpm: number;
  /** Fractional speed drop at full cutting load (0.2-0.35: 12,500 -> ~9,000 rpm). */
  sagAtFullLoad: number;
  /** Mean cutting load, 0..1 (how hard the sawyer pushes), and its fluctuation (sd). */
  cutLoad: number;
  cutLoadSd: number;
  /** Time constants of the speed's response, s: spinning up (0.08-0.2) and coasting down (0.2-0.5). */
  riseTauSec: number;
  fallTauSec: number;
  /** Speed at which the centrifugal clutch engages and the chain moves, rpm (~3,800-4,500). */
  clutchRpm: number;
}

/** Engine state per sample. */
export interface EngineTrack {
  /** Instantaneous engine speed, rpm. */
  rpm: Float32Array;
  /** Cutting load, 0..1 (0 = chain in the air). */
  load: Float32Array;
  /** Throttle opening, 0..1 (drives the exhaust pulse's strength). */
  throttle: Float32Array;
}

export function programDurationSec(program: readonly ThrottleStep[]): number {
  return program.reduce((s, step) => s + step.durationSec, 0);
}

/** The unloaded speed the throttle asks for, and the throttle opening, at `t` s into a step. */
function stepTarget(step: ThrottleStep, tSec: number, e: EngineParams): { rpm: number; throttle: number; cutting: boolean } {
  switch (step.kind) {
    case 'idle':
    case 'release':
      return { rpm: e.idleRpm, throttle: 0, cutting: false };
    case 'blip': {
      // Throttle snapped open for the first 40 % of the step, then closed.
      const open = tSec < 0.4 * step.durationSec;
      return { rpm: open ? e.blipRpm : e.idleRpm, throttle: open ? 1 : 0, cutting: false };
    }
    case 'rev':
      return { rpm: e.maxRpm, throttle: 1, cutting: false };
    case 'cut':
      return { rpm: e.maxRpm, throttle: 1, cutting: true };
  }
}

/**
 * Renders a program to per-sample engine speed, load and throttle. Load
 * fluctuates as a smoothed random walk (the sawyer's push, knots, the bar
 * binding) and ramps in over ~0.3 s when the chain bites.
 */
export function engineTrack(program: readonly ThrottleStep[], e: Readonly<EngineParams>, rand: Random, sampleRateHz = 16000): EngineTrack {
  const n = Math.max(1, Math.round(programDurationSec(program) * sampleRateHz));
  const rpm = new Float32Array(n);
  const load = new Float32Array(n);
  const throttle = new Float32Array(n);
  const dt = 1 / sampleRateHz;
  let speed = program[0]?.kind === 'rev' || program[0]?.kind === 'cut' ? e.maxRpm : e.idleRpm;
  let loadNow = 0;
  let wander = 0;
  let i = 0;
  for (const step of program) {
    const steps = Math.round(step.durationSec * sampleRateHz);
    for (let k = 0; k < steps && i < n; k++, i++) {
      const target = stepTarget(step, k * dt, e);
      // Load: an Ornstein-Uhlenbeck wander around the mean (correlation ~0.4 s), clipped to 0.15..1.
      wander += (-wander / 0.4) * dt + e.cutLoadSd * Math.sqrt(2 * dt / 0.4) * rand.normal();
      const wanted = target.cutting ? Math.min(1, Math.max(0.15, e.cutLoad + wander)) : 0;
      loadNow += (wanted - loadNow) * (dt / 0.1);
      const free = target.rpm;
      const aimed = free * (1 - e.sagAtFullLoad * loadNow);
      const tau = aimed > speed ? e.riseTauSec : e.fallTauSec;
      speed += (aimed - speed) * (dt / tau);
      rpm[i] = speed;
      load[i] = loadNow;
      throttle[i] = target.throttle;
    }
  }
  // Leftover samples from rounding keep the last state.
  for (; i < n; i++) {
    rpm[i] = speed;
    load[i] = loadNow;
  }
  smoothInPlace(throttle, Math.round(0.03 * sampleRateHz));
  return { rpm, load, throttle };
}

/** Moving average over `width` samples (the throttle cable and carburettor do not act instantly). */
function smoothInPlace(x: Float32Array, width: number): void {
  if (width <= 1) return;
  const copy = Float32Array.from(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    sum += copy[i];
    if (i >= width) sum -= copy[i - width];
    x[i] = sum / Math.min(i + 1, width);
  }
}

/** Kinds of scene a random program depicts. */
export type ChainsawScene = 'idle' | 'blips' | 'rev-up' | 'cutting' | 'felling';

/**
 * A plausible program of about `durationSec` seconds (the last step is cut
 * or padded to fit). 'felling' is several cuts with idling between them.
 */
export function randomProgram(rand: Random, scene: ChainsawScene, durationSec: number): ThrottleStep[] {
  const steps: ThrottleStep[] = [];
  const add = (kind: ThrottleStepKind, sec: number): void => {
    steps.push({ kind, durationSec: sec });
  };
  let guard = 0;
  while (programDurationSec(steps) < durationSec && guard++ < 1000) {
    switch (scene) {
      case 'idle':
        add('idle', durationSec);
        break;
      case 'blips':
        add('idle', rand.uniform(0.3, 1.5));
        add('blip', rand.uniform(0.3, 0.8));
        break;
      case 'rev-up':
        add('idle', rand.uniform(0.2, 1.2));
        add('rev', rand.uniform(0.8, 3));
        add('release', rand.uniform(0.6, 1.5));
        break;
      case 'cutting':
        if (steps.length === 0 && rand.chance(0.5)) add('rev', rand.uniform(0.3, 1));
        add('cut', rand.uniform(2, 8));
        if (rand.chance(0.4)) add('release', rand.uniform(0.5, 1.5));
        break;
      case 'felling':
        add('idle', rand.uniform(2, 10));
        if (rand.chance(0.5)) add('blip', rand.uniform(0.3, 0.7));
        add('rev', rand.uniform(0.3, 1));
        add('cut', rand.uniform(8, 45));
        add('release', rand.uniform(0.5, 1.5));
        break;
    }
  }
  return fitProgram(steps, durationSec);
}

/** Trims the program to exactly `durationSec` (the last step is shortened). */
function fitProgram(steps: ThrottleStep[], durationSec: number): ThrottleStep[] {
  const out: ThrottleStep[] = [];
  let left = durationSec;
  for (const s of steps) {
    if (left <= 0) break;
    out.push({ kind: s.kind, durationSec: Math.min(s.durationSec, left) });
    left -= s.durationSec;
  }
  return out;
}
