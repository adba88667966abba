import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { YAMNET_FRONT_END } from '#shared/features/params.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import { saveModelPackage } from '#shared/model/model-package.js';
import { tf } from '#shared/model/tf.js';

export const TEST_CLASSES = ['gunshot', 'chainsaw', 'vehicle', 'human_voice', 'dog_bark', 'bird', 'insect', 'frog', 'rain', 'thunder', 'wind', 'explosion'];

export interface TestModelOptions {
  dir?: string;
  version?: string;
  /** Gunshot fires when (max - mean) of the patch's log-mel exceeds this. Default 4. */
  peakiness?: number;
  /** Chainsaw fires when the patch's mean log-mel exceeds this (loud steady sound). Default -1. */
  steadyLevel?: number;
  /**
   * Make the model produce NaN whenever a patch's max log-mel exceeds this:
   * it passes validation on quiet reference clips and fails on real events.
   */
  nanAboveLevel?: number;
}

/**
 * A real (tiny) tfjs layers model for pipeline tests whose behaviour is known
 * without training. From the patch's max and mean log-mel:
 *   gunshot  = sigmoid(4 * (max - mean - peakiness))   impulsive sounds
 *   chainsaw = sigmoid(4 * (mean - steadyLevel))        loud steady sounds
 * and ~0 for every other class. Silence scores ~0 everywhere. Tests of
 * windowing, events, storage and transport use it; tests of recognition use
 * the trained model in models/.
 */
export async function saveTestModel(options: TestModelOptions = {}): Promise<string> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ecosight-test-model-'));
  const gain = 4;
  const input = tf.input({ shape: [96, 64, 1] });
  const max = tf.layers.globalMaxPooling2d({ name: 'max' }).apply(input) as tf.SymbolicTensor;
  const mean = tf.layers.globalAveragePooling2d({ name: 'mean' }).apply(input) as tf.SymbolicTensor;
  const stats = tf.layers.concatenate({ name: 'embedding' }).apply([max, mean]) as tf.SymbolicTensor;
  let features = stats;
  if (options.nanAboveLevel !== undefined) {
    // overflow = relu(max - level) * 3e38 -> +inf and -inf once above the level; their sum is NaN.
    const over = tf.layers.dense({ units: 1, activation: 'relu', name: 'over' }).apply(stats) as tf.SymbolicTensor;
    const blow = tf.layers.dense({ units: 2, useBias: false, name: 'blow' }).apply(over) as tf.SymbolicTensor;
    features = tf.layers.concatenate({ name: 'features' }).apply([stats, blow]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: features });
    model.getLayer('over').setWeights([tf.tensor2d([1, 0], [2, 1]), tf.tensor1d([-options.nanAboveLevel])]);
    model.getLayer('blow').setWeights([tf.tensor2d([3e38, -3e38], [1, 2])]);
  }
  const width = options.nanAboveLevel !== undefined ? 4 : 2;
  const head = tf.layers.dense({ units: TEST_CLASSES.length, activation: 'sigmoid', name: 'head' }).apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: head });
  const kernel = new Float32Array(width * TEST_CLASSES.length);
  const bias = new Float32Array(TEST_CLASSES.length).fill(-20);
  const at = (row: number, cls: number): number => row * TEST_CLASSES.length + cls;
  kernel[at(0, 0)] = gain;
  kernel[at(1, 0)] = -gain;
  bias[0] = -gain * (options.peakiness ?? 4);
  kernel[at(1, 1)] = gain;
  bias[1] = -gain * (options.steadyLevel ?? -1);
  if (width === 4) {
    kernel[at(2, 2)] = 1;
    kernel[at(3, 2)] = 1;
  }
  model.getLayer('head').setWeights([tf.tensor2d(kernel, [width, TEST_CLASSES.length]), tf.tensor1d(bias)]);
  const metadata: ModelMetadata = {
    schemaVersion: 1,
    version: options.version ?? '0.0.1-test',
    createdAt: new Date(0).toISOString(),
    frontEnd: { ...YAMNET_FRONT_END },
    inputShape: [96, 64, 1],
    classes: TEST_CLASSES,
    thresholds: Object.fromEntries(TEST_CLASSES.map((c) => [c, 0.5])),
    embeddingLayer: 'embedding',
    description: 'Test model: gunshot = impulsiveness, chainsaw = loud steady sound. Not for deployment.',
  };
  await saveModelPackage(dir, model, metadata);
  model.dispose();
  return dir;
}
