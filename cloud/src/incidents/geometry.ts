/** Plane geometry for judging a station layout: convex hull, inside test, how collinear. */
export interface Point {
  x: number;
  y: number;
}

/** Convex hull, counter-clockwise (Andrew's monotone chain). */
export function convexHull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Point[] = [];
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Whether `q` lies inside (or within `marginM` outside) the convex hull of `points`. */
export function insideHull(points: readonly Point[], q: Point, marginM = 0): boolean {
  const hull = convexHull(points);
  if (hull.length < 3) return false;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const edge = Math.hypot(b.x - a.x, b.y - a.y);
    // Signed distance to the left of a->b (inside for a counter-clockwise hull).
    const left = ((b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x)) / edge;
    if (left < -marginM) return false;
  }
  return true;
}

/**
 * Thinness of a layout: sqrt(smaller / larger eigenvalue) of the positions'
 * scatter matrix; 0 for stations on a line, 1 for a symmetric spread.
 */
export function spreadRatio(points: readonly Point[]): number {
  const n = points.length;
  if (n < 3) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const { major, minor } = eigen2(sxx, sxy, syy);
  return major > 0 ? Math.sqrt(Math.max(minor, 0) / major) : 0;
}

/** Eigen-decomposition of the symmetric matrix [[a, b], [b, d]]: values and the major axis angle (radians from +x). */
export function eigen2(a: number, b: number, d: number): { major: number; minor: number; angleRad: number } {
  const mean = (a + d) / 2;
  const radius = Math.hypot((a - d) / 2, b);
  return { major: mean + radius, minor: mean - radius, angleRad: 0.5 * Math.atan2(2 * b, a - d) };
}
