import { seededRandom } from '#testkit/signals.js';

/**
 * Audio as busy for the two-stage gunshot detector as the validation forest
 * audio (about 4,800 stage-1 triggers per hour, docs/model.md): a quiet
 * broadband floor (-50 dBFS) with, every 3-9 s, a "clip" of 1-5 s holding
 * impulsive onsets 0.15-1.35 s apart: decaying noise bursts (impacts, 5-80 ms
 * decay), plucked notes (100-1,500 Hz with two partials, 50-400 ms decay) and
 * clicks, at -35 to -6 dBFS. Deterministic for a seed. The pipeline bench runs
 * it beside its quiet recording so that stage 2's cost is measured at the
 * trigger rate the budget names, not estimated.
 */
export function busyRecording(seconds: number, seed = 11, sampleRateHz = 16000): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * sampleRateHz));
  for (let i = 0; i < out.length; i++) out[i] = 0.003 * (rand() * 2 - 1);
  const dbfs = () => 10 ** ((-35 + 29 * rand()) / 20);
  for (let clip = 1 + 6 * rand(); clip < seconds - 6; ) {
    const length = 1 + 4 * rand();
    for (let t = clip; t < clip + length; t += 0.15 + 1.2 * rand()) {
      const start = Math.round(t * sampleRateHz);
      const kind = rand();
      if (kind < 0.45) addBurst(out, start, dbfs(), 0.005 + 0.075 * rand(), rand, sampleRateHz);
      else if (kind < 0.85) addNote(out, start, dbfs(), 100 + 1400 * rand(), 0.05 + 0.35 * rand(), sampleRateHz);
      else addBurst(out, start, dbfs(), 0.001, rand, sampleRateHz);
    }
    clip += length + 3 + 6 * rand();
  }
  return out;
}

function addBurst(out: Float32Array, start: number, amplitude: number, decaySec: number, rand: () => number, rate: number): void {
  const decay = Math.exp(-1 / (decaySec * rate));
  let env = amplitude;
  for (let i = start; i < Math.min(out.length, start + Math.round(6 * decaySec * rate)); i++) {
    out[i] += env * (rand() * 2 - 1);
    env *= decay;
  }
}

function addNote(out: Float32Array, start: number, amplitude: number, freqHz: number, decaySec: number, rate: number): void {
  const decay = Math.exp(-1 / (decaySec * rate));
  let env = amplitude;
  for (let i = 0; start + i < Math.min(out.length, start + Math.round(5 * decaySec * rate)); i++) {
    const phase = (2 * Math.PI * freqHz * i) / rate;
    out[start + i] += env * (0.7 * Math.sin(phase) + 0.3 * Math.sin(2 * phase));
    env *= decay;
  }
}
