/**
 * Air: the speed of sound and ISO 9613-1:1993 pure-tone atmospheric absorption.
 * Absorption is what turns a distant gunshot into a dull thump; it grows
 * roughly with frequency squared (about 5 dB/km at 1 kHz, 77 dB/km at 8 kHz at
 * 20 degC / 70 % RH), so it matters far more than spreading for the spectrum.
 */
export interface Atmosphere {
  /** Air temperature, degC. ISO 9613-1 covers -20..50 degC. Default 20. */
  temperatureC: number;
  /** Relative humidity, percent (10..100). Default 70. */
  relativeHumidityPct: number;
  /** Ambient pressure, kPa. Default 101.325 (sea level). */
  pressureKpa: number;
}

export const STANDARD_ATMOSPHERE: Readonly<Atmosphere> = Object.freeze({
  temperatureC: 20,
  relativeHumidityPct: 70,
  pressureKpa: 101.325,
});

const REFERENCE_PRESSURE_KPA = 101.325;
const REFERENCE_TEMPERATURE_K = 293.15;
/** Triple-point isotherm temperature used by the saturation-pressure formula. */
const TRIPLE_POINT_K = 273.16;

/** Speed of sound in dry air, m/s (331.3 m/s at 0 degC). */
export function speedOfSoundMps(temperatureC: number): number {
  return 331.3 * Math.sqrt(1 + temperatureC / 273.15);
}

/**
 * Relaxation frequencies and constants that do not depend on the frequency
 * being evaluated; compute once per atmosphere when filling a spectrum.
 */
export interface AbsorptionCoefficients {
  readonly relaxO2Hz: number;
  readonly relaxN2Hz: number;
  readonly classical: number;
  readonly o2: number;
  readonly n2: number;
}

export function absorptionCoefficients(atm: Readonly<Atmosphere> = STANDARD_ATMOSPHERE): AbsorptionCoefficients {
  const t = atm.temperatureC + 273.15;
  const pRel = atm.pressureKpa / REFERENCE_PRESSURE_KPA;
  const tRel = t / REFERENCE_TEMPERATURE_K;
  // Molar concentration of water vapour, percent (ISO 9613-1 Annex B).
  const c = -6.8346 * (TRIPLE_POINT_K / t) ** 1.261 + 4.6151;
  const psatRel = 10 ** c;
  const h = (atm.relativeHumidityPct * psatRel) / pRel;
  const relaxO2Hz = pRel * (24 + (4.04e4 * h * (0.02 + h)) / (0.391 + h));
  const relaxN2Hz = pRel * tRel ** -0.5 * (9 + 280 * h * Math.exp(-4.17 * (tRel ** (-1 / 3) - 1)));
  return {
    relaxO2Hz,
    relaxN2Hz,
    classical: 1.84e-11 * (1 / pRel) * tRel ** 0.5,
    o2: tRel ** -2.5 * 0.01275 * Math.exp(-2239.1 / t),
    n2: tRel ** -2.5 * 0.1068 * Math.exp(-3352 / t),
  };
}

/** Pure-tone attenuation coefficient alpha, dB per metre (ISO 9613-1 eq. 5). */
export function airAbsorptionDbPerM(freqHz: number, atm: Readonly<Atmosphere> | AbsorptionCoefficients = STANDARD_ATMOSPHERE): number {
  const k = 'relaxO2Hz' in atm ? atm : absorptionCoefficients(atm);
  const f2 = freqHz * freqHz;
  return (
    8.686 * f2 * (k.classical + k.o2 / (k.relaxO2Hz + f2 / k.relaxO2Hz) + k.n2 / (k.relaxN2Hz + f2 / k.relaxN2Hz))
  );
}
