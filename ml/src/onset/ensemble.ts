import type { OnsetModel, OnsetModelFile } from '#shared/detect/onset-model.js';

type Layers = OnsetModelFile['layers'];

/**
 * Merges several trained stage-2 nets of one shape (same standardisation,
 * same hidden sizes) into one wider net in the shipped format whose output is
 * sigmoid(mean of the members' logits): the hidden layers side by side (the
 * first shares the input, later ones block-diagonal), the output layer
 * stacked with weights and bias divided by the member count. The station
 * evaluates it like any other onset model; an ensemble of differently seeded
 * nets smooths the few stray high scores on gunshot-free onsets that set the
 * 1-false-alarm-per-hour threshold.
 */
export function mergeNets(members: readonly Layers[]): Layers {
  if (members.length === 0) throw new Error('mergeNets: no members');
  if (members.length === 1) return members[0];
  const depth = members[0].length;
  for (const m of members) {
    if (m.length !== depth || m.some((l, i) => l.inputs !== members[0][i].inputs || l.outputs !== members[0][i].outputs)) {
      throw new Error('mergeNets: members differ in shape');
    }
  }
  const k = members.length;
  return members[0].map((first, depthIndex) => {
    const last = depthIndex === depth - 1;
    const sharedInput = depthIndex === 0;
    const inputs = sharedInput ? first.inputs : first.inputs * k;
    const outputs = last ? first.outputs : first.outputs * k;
    const weights = new Array<number>(inputs * outputs).fill(0);
    const bias = new Array<number>(outputs).fill(0);
    members.forEach((m, j) => {
      const l = m[depthIndex];
      const inOffset = sharedInput ? 0 : j * l.inputs;
      const outOffset = last ? 0 : j * l.outputs;
      const scale = last ? 1 / k : 1;
      for (let i = 0; i < l.inputs; i++) {
        for (let o = 0; o < l.outputs; o++) weights[(inOffset + i) * outputs + outOffset + o] += scale * l.weights[i * l.outputs + o];
      }
      for (let o = 0; o < l.outputs; o++) bias[outOffset + o] += scale * l.bias[o];
    });
    return { inputs, outputs, weights, bias, activation: first.activation };
  });
}

/**
 * Each member's logit for one onset, from a net merged by mergeNets of
 * `members` nets: the hidden layers run once (OnsetModel.lastHidden, the same
 * arithmetic as its score), and the output layer's sum is split by member
 * block. The merge keeps only the members' mean output bias, so each logit
 * carries that mean rather than its own bias: the mean of the returned
 * logits is the merged net's logit, and their spread is the members'
 * disagreement without the bias differences.
 */
export function memberLogits(model: OnsetModel, members: number, features: Float32Array): number[] {
  const last = model.file.layers[model.file.layers.length - 1];
  if (last.outputs !== 1 || last.inputs % members !== 0) throw new Error(`memberLogits: the output layer does not split into ${members} members`);
  const x = model.lastHidden(features);
  const block = last.inputs / members;
  return Array.from({ length: members }, (_, j) => {
    let s = 0;
    for (let i = j * block; i < (j + 1) * block; i++) s += x[i] * last.weights[i];
    return members * s + last.bias[0];
  });
}
