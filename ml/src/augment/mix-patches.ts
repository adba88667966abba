/**
 * Between-class mixing (mixup) of two log-mel patches, for multi-label training.
 *
 * The patches hold log(mel + 0.001) (YAMNet's front end), so exp() gives back
 * mel + 0.001 and mixing there, log(lambda e^a + (1 - lambda) e^b), is exactly
 * the log-mel of lambda * mel_a + (1 - lambda) * mel_b: the mel magnitudes mix
 * linearly and the silence floor stays at log(0.001). (Magnitudes of two real
 * sounds add this way where they do not overlap in time and frequency, which is
 * the usual case for mel bins.) Mixing the logs directly would instead make a
 * loud event quieter than either source.
 *
 * Targets: the union of the two label sets (for vectors: the element-wise max),
 * because both sounds are present in the mix. Keep lambda away from 0 and 1
 * (e.g. uniform 0.25..0.75, at most ~10 dB between the parts) so a labelled
 * sound is never mixed in below audibility.
 */
export interface MixedPatch {
  patch: Float32Array;
  labels: string[];
}

export function mixPatches(
  a: Float32Array, b: Float32Array, labelsA: readonly string[], labelsB: readonly string[], lambda: number, out?: Float32Array,
): MixedPatch {
  if (a.length !== b.length) throw new RangeError(`patches differ in size: ${a.length} vs ${b.length}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`lambda must be in [0, 1], got ${lambda}`);
  const patch = out ?? new Float32Array(a.length);
  if (patch.length !== a.length) throw new RangeError('out has the wrong length');
  const wa = lambda;
  const wb = 1 - lambda;
  for (let i = 0; i < a.length; i++) {
    // Factor out the larger exponent so exp() never overflows or underflows to 0.
    const x = a[i];
    const y = b[i];
    patch[i] = x >= y ? x + Math.log(wa + wb * Math.exp(y - x)) : y + Math.log(wa * Math.exp(x - y) + wb);
  }
  const labels = [...labelsA];
  for (const l of labelsB) if (!labels.includes(l)) labels.push(l);
  return { patch, labels };
}

/** Multi-hot targets of a mix: element-wise max (the union of the label sets). */
export function mixTargets(a: Float32Array, b: Float32Array, out = new Float32Array(a.length)): Float32Array {
  if (a.length !== b.length || out.length !== a.length) throw new RangeError('target vectors differ in size');
  for (let i = 0; i < a.length; i++) out[i] = Math.max(a[i], b[i]);
  return out;
}
