import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ModelError } from '../errors.js';
import { repositoryRoot } from '../model/model-package.js';
import { ONSET_FEATURES } from './onset-features.js';

/** File name of the stage-2 model inside its directory. */
export const ONSET_MODEL_FILE = 'onset-model.json';

const Layer = Type.Object({
  inputs: Type.Integer({ minimum: 1 }),
  outputs: Type.Integer({ minimum: 1 }),
  /** Row-major inputs x outputs. */
  weights: Type.Array(Type.Number()),
  bias: Type.Array(Type.Number()),
  activation: Type.Union([Type.Literal('relu'), Type.Literal('sigmoid')]),
});

/** The stage-2 onset classifier as shipped: a small dense network over OnsetFeaturizer's features, plus its decision rule. */
export const OnsetModelFileSchema = Type.Object({
  format: Type.Literal('ecosight-onset-mlp/1'),
  version: Type.String({ minLength: 1 }),
  inputSize: Type.Literal(ONSET_FEATURES),
  /** Input standardisation from the training features. */
  mean: Type.Array(Type.Number()),
  std: Type.Array(Type.Number()),
  layers: Type.Array(Layer, { minItems: 1 }),
  /** Gunshot when the score reaches this (chosen for <= 1 false alarm per hour on validation forest audio). */
  threshold: Type.Number({ minimum: 0, maximum: 1 }),
  /** Accepted onsets closer than this to the previous one belong to the same alarm (a burst), s. */
  burstGapSec: Type.Number({ minimum: 0 }),
  /** Training record: data, counts, validation figures. */
  training: Type.Optional(Type.Unknown()),
}, { additionalProperties: false });

export type OnsetModelFile = Static<typeof OnsetModelFileSchema>;

/** One layer ready to evaluate: weights transposed (a row per output), and the span of inputs each output has non-zero weights for. */
interface CompiledLayer {
  inputs: number;
  outputs: number;
  /** Row-major outputs x inputs. */
  weights: Float64Array;
  bias: Float64Array;
  relu: boolean;
  from: Int32Array;
  to: Int32Array;
}

/** The stage-2 network, evaluated in plain TypeScript (a few hundred thousand multiply-adds per trigger). */
export class OnsetModel {
  private compiled: CompiledLayer[] | undefined;

  constructor(readonly file: OnsetModelFile) {}

  get threshold(): number {
    return this.file.threshold;
  }

  /**
   * Gunshot probability of one onset's features. The weights are transposed
   * into typed arrays on first use, so that each output is a dot product
   * summed in four lanes, over only the inputs it has weights for (a merged
   * ensemble's later layers are block-diagonal, see ml/src/onset/ensemble.ts).
   */
  score(features: Float32Array): number {
    return this.forward(features, this.layers().length)[0];
  }

  /**
   * The activations the output layer reads (after every hidden layer), for
   * tools that look inside the net (ml/src/onset/ensemble.ts memberLogits);
   * computed exactly as score() computes them.
   */
  lastHidden(features: Float32Array): Float64Array {
    return this.forward(features, this.layers().length - 1);
  }

  /** Standardises the features and runs the first `depth` layers. */
  private forward(features: Float32Array, depth: number): Float64Array {
    const { mean, std } = this.file;
    let x = new Float64Array(features.length);
    for (let i = 0; i < x.length; i++) x[i] = (features[i] - mean[i]) / std[i];
    const layers = this.layers();
    for (let n = 0; n < depth; n++) {
      const layer = layers[n];
      const y = new Float64Array(layer.outputs);
      const w = layer.weights;
      for (let o = 0; o < layer.outputs; o++) {
        const row = o * layer.inputs;
        const to = layer.to[o];
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = layer.from[o];
        for (; i + 3 < to; i += 4) {
          s0 += x[i] * w[row + i];
          s1 += x[i + 1] * w[row + i + 1];
          s2 += x[i + 2] * w[row + i + 2];
          s3 += x[i + 3] * w[row + i + 3];
        }
        for (; i < to; i++) s0 += x[i] * w[row + i];
        const v = layer.bias[o] + (s0 + s1) + (s2 + s3);
        y[o] = layer.relu ? (v > 0 ? v : 0) : 1 / (1 + Math.exp(-v));
      }
      x = y;
    }
    return x;
  }

  private layers(): CompiledLayer[] {
    this.compiled ??= this.file.layers.map((l) => {
      const weights = new Float64Array(l.inputs * l.outputs);
      const from = new Int32Array(l.outputs);
      const to = new Int32Array(l.outputs);
      for (let o = 0; o < l.outputs; o++) {
        let first = -1;
        let last = -1;
        for (let i = 0; i < l.inputs; i++) {
          const v = l.weights[i * l.outputs + o];
          weights[o * l.inputs + i] = v;
          if (v !== 0) {
            if (first < 0) first = i;
            last = i;
          }
        }
        from[o] = Math.max(0, first);
        to[o] = last + 1;
      }
      return { inputs: l.inputs, outputs: l.outputs, weights, bias: Float64Array.from(l.bias), relu: l.activation === 'relu', from, to };
    });
    return this.compiled;
  }
}

/** Checks a parsed onset model (schema and layer shapes); a problem is a ModelError. */
export function parseOnsetModel(input: unknown, source: string): OnsetModel {
  if (!Value.Check(OnsetModelFileSchema, input)) {
    const problems = [...Value.Errors(OnsetModelFileSchema, input)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
    throw new ModelError(`${source}: not an onset model: ${problems.join('; ')}`);
  }
  let width = input.inputSize;
  if (input.mean.length !== width || input.std.length !== width) throw new ModelError(`${source}: normalisation does not match ${width} inputs`);
  for (const [n, l] of input.layers.entries()) {
    if (l.inputs !== width || l.weights.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) {
      throw new ModelError(`${source}: layer ${n} has inconsistent shapes`);
    }
    width = l.outputs;
  }
  if (width !== 1) throw new ModelError(`${source}: the last layer must have one output`);
  return new OnsetModel(input);
}

/** Parses the text of an onset-model file: not JSON or not an onset model is a ModelError naming `source`. */
export function parseOnsetModelText(text: string, source: string): OnsetModel {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ModelError(`${source} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseOnsetModel(json, source);
}

/** Loads `<dir>/onset-model.json`. */
export async function loadOnsetModel(dir: string): Promise<OnsetModel> {
  const path = join(dir, ONSET_MODEL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelError(`cannot read ${path}`, { cause: err });
  }
  return parseOnsetModelText(text, path);
}

/** The shipped stage-2 model's directory (`models/onset`). */
export function shippedOnsetModelDir(): string {
  return join(repositoryRoot(), 'models', 'onset');
}

/** The shipped onset model if present (the two-stage detector falls back to the window model without it). */
export async function loadShippedOnsetModel(): Promise<OnsetModel | undefined> {
  const dir = shippedOnsetModelDir();
  return existsSync(join(dir, ONSET_MODEL_FILE)) ? loadOnsetModel(dir) : undefined;
}
