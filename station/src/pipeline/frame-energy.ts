/**
 * Mean power of consecutive `frameSamples`-long frames (a tail shorter than a
 * frame is dropped), floored at 1e-12 so ratios and logs never see zero. The
 * shot counter and the onset picker both look for rises in it.
 */
export function frameEnergies(samples: Float32Array, frameSamples: number): Float64Array {
  const frames = Math.floor(samples.length / frameSamples);
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = f * frameSamples; i < (f + 1) * frameSamples; i++) s += samples[i] * samples[i];
    energy[f] = s / frameSamples + 1e-12;
  }
  return energy;
}
