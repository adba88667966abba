import { add, c, div, exp, mul, scale, sub, type Complex } from './complex.js';

/**
 * The Faddeeva function W(z) = exp(-z^2) erfc(-i z), needed by the
 * spherical-wave ground reflection coefficient. Weideman's rational
 * approximation (SIAM J. Numer. Anal. 31 (1994) 1497-1518) in the upper half
 * plane, continued to the lower half plane by W(z) = 2 exp(-z^2) - W(-z).
 * With 32 terms the error is ~1e-13 near the real axis.
 */
const TERMS = 32;
const L = Math.sqrt(TERMS / Math.SQRT2);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

let coefficients: Float64Array | null = null;

function weidemanCoefficients(): Float64Array {
  if (coefficients) return coefficients;
  const m = 2 * TERMS;
  const a = new Float64Array(TERMS + 1);
  for (let n = 1; n <= TERMS; n++) {
    let sum = 0;
    for (let k = -m + 1; k <= m - 1; k++) {
      const t = L * Math.tan((k * Math.PI) / m / 2);
      sum += Math.exp(-t * t) * (L * L + t * t) * Math.cos((Math.PI * k * n) / m);
    }
    a[n] = sum / (2 * m);
  }
  coefficients = a;
  return a;
}

function faddeevaUpper(z: Complex): Complex {
  const a = weidemanCoefficients();
  const iz = c(-z.im, z.re);
  const denom = sub(c(L), iz); // L - iz
  const zz = div(add(c(L), iz), denom); // (L + iz) / (L - iz)
  let p = c(a[TERMS]);
  for (let n = TERMS - 1; n >= 1; n--) p = add(mul(p, zz), c(a[n]));
  return add(div(scale(p, 2), mul(denom, denom)), div(c(INV_SQRT_PI), denom));
}

export function faddeeva(z: Complex): Complex {
  if (z.im >= 0) return faddeevaUpper(z);
  const minusZSquared = c(-(z.re * z.re - z.im * z.im), -2 * z.re * z.im);
  return sub(scale(exp(minusZSquared), 2), faddeevaUpper(c(-z.re, -z.im)));
}
