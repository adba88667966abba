/**
 * Attenuation by foliage (leaves and trunks scattering sound out of the path),
 * a rule-of-thumb curve for dense vegetation: 6 dB per 100 m at 250 Hz rising
 * to 16 dB per 100 m at 4 kHz, linear in log-frequency (2.5 dB per octave per
 * 100 m), extrapolated the same way outside that range and never negative
 * (it reaches zero near 47 Hz).
 *
 * ISO 9613-2 Annex A counts foliage only up to 200 m of path, because beyond
 * that sound travels over the canopy instead; callers should cap the path the
 * same way (randomGunshotParams does).
 */
const REF_LOW_HZ = 250;
const REF_LOW_DB = 6;
const REF_HIGH_HZ = 4000;
const REF_HIGH_DB = 16;
const DB_PER_OCTAVE = (REF_HIGH_DB - REF_LOW_DB) / Math.log2(REF_HIGH_HZ / REF_LOW_HZ);

/** Attenuation in dB per 100 m of foliage at `freqHz`. */
export function foliageDbPer100m(freqHz: number): number {
  if (freqHz <= 0) return 0;
  return Math.max(0, REF_LOW_DB + DB_PER_OCTAVE * Math.log2(freqHz / REF_LOW_HZ));
}

/** Attenuation in dB over `foliagePathM` metres of foliage at `freqHz`. */
export function foliageAttenuationDb(freqHz: number, foliagePathM: number): number {
  return (foliageDbPer100m(freqHz) * Math.max(0, foliagePathM)) / 100;
}
