import type { Random } from '#shared/util/random.js';
import type { FieldShot, FieldStation } from './field-sim.js';

/**
 * Standard layouts for the localisation test, bench and demo: stations on a
 * jittered ring around a centre station, spacing ~`spacingM` between
 * neighbours, and shots drawn inside the stations' hull.
 */
export interface LayoutOptions {
  /** Stations (3..12). */
  count: number;
  /** Typical distance between neighbouring stations, m. */
  spacingM: number;
  /** Each station's clock offset is drawn uniformly from +/- this, ms. */
  clockErrorMs: number;
  /** Background level, Pa RMS. Default 0.002. */
  backgroundPaRms?: number;
}

export function ringLayout(options: LayoutOptions, rand: Random): FieldStation[] {
  const { count, spacingM } = options;
  const ring = count >= 5 ? count - 1 : count;
  // Neighbours on a ring of radius R are 2 R sin(pi / n) apart.
  const radiusM = spacingM / (2 * Math.sin(Math.PI / ring));
  const stations: FieldStation[] = [];
  const offset = () => rand.uniform(-options.clockErrorMs, options.clockErrorMs);
  for (let i = 0; i < ring; i++) {
    const angle = (2 * Math.PI * i) / ring + rand.uniform(-0.15, 0.15);
    const r = radiusM * rand.uniform(0.9, 1.1);
    stations.push({
      id: `st-${String(i + 1).padStart(2, '0')}`, eastM: r * Math.sin(angle), northM: r * Math.cos(angle), clockOffsetMs: offset(),
      backgroundPaRms: options.backgroundPaRms,
    });
  }
  if (ring < count) stations.push({ id: `st-${String(count).padStart(2, '0')}`, eastM: 0, northM: 0, clockOffsetMs: offset(), backgroundPaRms: options.backgroundPaRms });
  return stations;
}

/** A point drawn uniformly inside the ring's inner circle (well inside the hull). */
export function shotInside(stations: readonly FieldStation[], timeSec: number, rand: Random, extra: Partial<FieldShot> = {}): FieldShot {
  const radiusM = Math.min(...stations.map((s) => Math.hypot(s.eastM, s.northM)).filter((r) => r > 1)) * 0.7;
  const r = radiusM * Math.sqrt(rand.next());
  const a = rand.uniform(0, 2 * Math.PI);
  return { eastM: r * Math.sin(a), northM: r * Math.cos(a), timeSec, ...extra };
}
