import { describe, expect, it } from 'vitest';
import { ONSET_FEATURES } from '#shared/detect/onset-features.js';
import { OnsetModel, parseOnsetModel, type OnsetModelFile } from '#shared/detect/onset-model.js';
import { createRandom } from '#shared/util/random.js';
import { memberLogits, mergeNets } from './ensemble.js';

type Layers = OnsetModelFile['layers'];

function randomNet(seed: string, sizes: number[]): Layers {
  const rand = createRandom(seed);
  const layers: Layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [inputs, outputs] = [sizes[i], sizes[i + 1]];
    layers.push({
      inputs, outputs,
      weights: Array.from({ length: inputs * outputs }, () => rand.normal() * 0.3),
      bias: Array.from({ length: outputs }, () => rand.normal() * 0.1),
      activation: i + 2 === sizes.length ? 'sigmoid' : 'relu',
    });
  }
  return layers;
}

const fileOf = (layers: Layers): OnsetModelFile => ({
  format: 'ecosight-onset-mlp/1', version: 't', inputSize: ONSET_FEATURES,
  mean: new Array<number>(ONSET_FEATURES).fill(0.1), std: new Array<number>(ONSET_FEATURES).fill(2),
  layers, threshold: 0.5, burstGapSec: 1,
});

const logit = (p: number) => Math.log(p / (1 - p));

describe('mergeNets', () => {
  it('gives one net in the shipped format whose score is the sigmoid of the members\' mean logit', () => {
    const members = [1, 2, 3].map((s) => randomNet(`m${s}`, [ONSET_FEATURES, 16, 8, 1]));
    const merged = parseOnsetModel(fileOf(mergeNets(members)), 'merged');
    expect(merged.file.layers.map((l) => [l.inputs, l.outputs])).toEqual([[ONSET_FEATURES, 48], [48, 24], [24, 1]]);
    const rand = createRandom('inputs');
    for (let n = 0; n < 20; n++) {
      const x = Float32Array.from({ length: ONSET_FEATURES }, () => rand.normal());
      const meanLogit = members.reduce((s, m) => s + logit(new OnsetModel(fileOf(m)).score(x)), 0) / members.length;
      expect(merged.score(x)).toBeCloseTo(1 / (1 + Math.exp(-meanLogit)), 10);
    }
  });

  it('returns a single member unchanged and refuses members of different shapes', () => {
    const one = randomNet('a', [ONSET_FEATURES, 4, 1]);
    expect(mergeNets([one])).toBe(one);
    expect(() => mergeNets([one, randomNet('b', [ONSET_FEATURES, 5, 1])])).toThrow(/differ in shape/);
    expect(() => mergeNets([])).toThrow(/no members/);
  });

  it('splits a merged net back into its members\' logits (each up to the shared mean output bias)', () => {
    const members = [1, 2, 3].map((s) => randomNet(`m${s}`, [ONSET_FEATURES, 16, 8, 1]));
    const merged = new OnsetModel(fileOf(mergeNets(members)));
    const meanBias = members.reduce((s, m) => s + m[2].bias[0], 0) / members.length;
    const rand = createRandom('split');
    for (let n = 0; n < 10; n++) {
      const x = Float32Array.from({ length: ONSET_FEATURES }, () => rand.normal());
      const split = memberLogits(merged, members.length, x);
      members.forEach((m, j) => expect(split[j]).toBeCloseTo(logit(new OnsetModel(fileOf(m)).score(x)) - m[2].bias[0] + meanBias, 8));
    }
    expect(() => memberLogits(merged, 5, new Float32Array(ONSET_FEATURES))).toThrow(/does not split/);
  });
});
