/**
 * Time-difference-of-arrival fit: find the source (east, north) and the
 * emission time that best explain every station's onset, by Levenberg-
 * Marquardt on
 *
 *   r_i(x, y, b) = c (t_i - t_ref) - b - |p - s_i|      (metres)
 *
 * where b = c (t_emit - t_ref) is the emission time as a range. Three unknowns
 * and a handful of stations: the normal equations are 3x3 and solved in
 * closed form, so no library is needed (the covariance, which libraries do not
 * return, falls out of the same J^T J). Working in metres keeps the problem
 * well scaled (1 ms = 0.34 m).
 */
export interface TdoaObservation {
  eastM: number;
  northM: number;
  /** Height above the source's plane, m (station altitude minus the assumed source altitude). */
  upM: number;
  /** Onset relative to a common reference time, s. */
  timeSec: number;
}

export interface TdoaFit {
  eastM: number;
  northM: number;
  /** Emission time relative to the reference, s. */
  emitSec: number;
  /** Residual per observation, s (observed minus modelled arrival). */
  residualsSec: number[];
  /** Sum of squared residuals, m^2. */
  costM2: number;
  /** (J^T J)^-1 for (east, north, b), m^2 per m^2 of residual variance; null when singular. */
  normalInverse: number[][] | null;
  iterations: number;
}

interface State { x: number; y: number; b: number }

function residualsM(obs: readonly TdoaObservation[], s: State, c: number): number[] {
  return obs.map((o) => c * o.timeSec - s.b - Math.hypot(s.x - o.eastM, s.y - o.northM, o.upM));
}

function costOf(r: readonly number[]): number {
  return r.reduce((sum, v) => sum + v * v, 0);
}

/** Rows of d r_i / d(x, y, b). */
function jacobian(obs: readonly TdoaObservation[], s: State): number[][] {
  return obs.map((o) => {
    const d = Math.max(Math.hypot(s.x - o.eastM, s.y - o.northM, o.upM), 1e-6);
    return [-(s.x - o.eastM) / d, -(s.y - o.northM) / d, -1];
  });
}

/** Inverse of a symmetric 3x3 matrix; null when (nearly) singular. */
export function invert3(m: readonly number[][]): number[][] | null {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  const scale = Math.abs(a * e * i) + Math.abs(b * f * g) + Math.abs(c * d * h) + 1e-300;
  if (Math.abs(det) < 1e-12 * scale) return null;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

function normalEquations(J: readonly number[][], r: readonly number[]): { JtJ: number[][]; Jtr: number[] } {
  const JtJ = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const Jtr = [0, 0, 0];
  J.forEach((row, k) => {
    for (let i = 0; i < 3; i++) {
      Jtr[i] += row[i] * r[k];
      for (let j = 0; j < 3; j++) JtJ[i][j] += row[i] * row[j];
    }
  });
  return { JtJ, Jtr };
}

/** Emission range b that best fits a given (x, y): the mean of c t_i - d_i (closed form). */
function bestB(obs: readonly TdoaObservation[], x: number, y: number, c: number): number {
  return obs.reduce((s, o) => s + c * o.timeSec - Math.hypot(x - o.eastM, y - o.northM, o.upM), 0) / obs.length;
}

/** Levenberg-Marquardt from (x0, y0); b starts at its best value there. */
export function fitTdoa(obs: readonly TdoaObservation[], speedOfSoundMps: number, x0: number, y0: number, maxIterations = 100): TdoaFit {
  const c = speedOfSoundMps;
  let s: State = { x: x0, y: y0, b: bestB(obs, x0, y0, c) };
  let r = residualsM(obs, s, c);
  let cost = costOf(r);
  let lambda = 1e-3;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const { JtJ, Jtr } = normalEquations(jacobian(obs, s), r);
    let improved = false;
    while (lambda < 1e12) {
      // Marquardt's scaling: damp each parameter by its own curvature.
      const damped = JtJ.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + 1e-12 : v)));
      const inv = invert3(damped);
      if (!inv) {
        lambda *= 10;
        continue;
      }
      // J is of r = observed - model, so the Gauss-Newton step is -(J^T J)^-1 J^T r.
      const step = inv.map((row) => -(row[0] * Jtr[0] + row[1] * Jtr[1] + row[2] * Jtr[2]));
      const next: State = { x: s.x + step[0], y: s.y + step[1], b: s.b + step[2] };
      const nr = residualsM(obs, next, c);
      const nc = costOf(nr);
      if (nc < cost) {
        const small = Math.hypot(step[0], step[1], step[2]) < 1e-6;
        s = next;
        r = nr;
        cost = nc;
        lambda = Math.max(lambda / 10, 1e-9);
        improved = !small;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  const { JtJ } = normalEquations(jacobian(obs, s), r);
  return {
    eastM: s.x, northM: s.y, emitSec: s.b / c, residualsSec: r.map((v) => v / c), costM2: cost, normalInverse: invert3(JtJ), iterations,
  };
}

/**
 * Global start for LM: the TDOA cost has local minima (mirror solutions), so
 * scan a grid over the area (stations' box plus `marginM`), then refine the
 * best few cells with LM and keep the best fit.
 */
export function solveTdoa(obs: readonly TdoaObservation[], speedOfSoundMps: number, marginM = 1000, gridCells = 40): TdoaFit {
  const xs = obs.map((o) => o.eastM);
  const ys = obs.map((o) => o.northM);
  const x0 = Math.min(...xs) - marginM;
  const y0 = Math.min(...ys) - marginM;
  const stepM = Math.max(Math.max(...xs) + marginM - x0, Math.max(...ys) + marginM - y0) / gridCells;
  const cells: Array<{ x: number; y: number; cost: number }> = [];
  for (let i = 0; i <= gridCells; i++) {
    for (let j = 0; j <= gridCells; j++) {
      const x = x0 + i * stepM;
      const y = y0 + j * stepM;
      const b = bestB(obs, x, y, speedOfSoundMps);
      cells.push({ x, y, cost: costOf(residualsM(obs, { x, y, b }, speedOfSoundMps)) });
    }
  }
  cells.sort((a, b) => a.cost - b.cost);
  // Refine the best cells of distinct basins (a mirror solution sits far from the true one).
  const starts: typeof cells = [];
  for (const cell of cells) {
    if (starts.length >= 4) break;
    if (starts.every((s) => Math.hypot(s.x - cell.x, s.y - cell.y) > 3 * stepM)) starts.push(cell);
  }
  let best: TdoaFit | undefined;
  for (const cell of starts) {
    const fit = fitTdoa(obs, speedOfSoundMps, cell.x, cell.y);
    if (!best || fit.costM2 < best.costM2) best = fit;
  }
  return best as TdoaFit;
}
