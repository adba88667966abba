import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { YAMNET_FRONT_END } from '../features/params.js';
import type { ModelMetadata } from '../model/metadata.js';
import { saveModelPackage } from '../model/model-package.js';
import { tf } from '../model/tf.js';

export const TEST_CLASSES = ['gunshot', 'chainsaw', 'vehicle', 'human_voice', 'dog_bark', 'bird', 'insect', 'frog', 'rain', 'thunder', 'wind', 'explosion'];

/**
 * A real (tiny) tfjs layers model for pipeline tests whose behaviour is known
 * without training: the first class scores sigmoid(gain * (max log-mel - level)),
 * so loud audio scores high and silence scores ~0; every other class ~0.
 * Tests of windowing, events and storage use it; tests of recognition use the
 * trained model in models/.
 */
export async function saveEnergyModel(options: { dir?: string; version?: string; level?: number; gain?: number; threshold?: number } = {}): Promise<string> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ecosight-energy-model-'));
  const level = options.level ?? -2;
  const gain = options.gain ?? 4;
  const input = tf.input({ shape: [96, 64, 1] });
  const pooled = tf.layers.globalMaxPooling2d({ name: 'pool' }).apply(input) as tf.SymbolicTensor;
  const embedding = tf.layers.dense({ units: 1, name: 'embedding', useBias: false, kernelInitializer: 'ones', trainable: false }).apply(pooled) as tf.SymbolicTensor;
  const head = tf.layers.dense({ units: TEST_CLASSES.length, activation: 'sigmoid', name: 'head' }).apply(embedding) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: head });
  const kernel = new Float32Array(TEST_CLASSES.length).fill(0);
  const bias = new Float32Array(TEST_CLASSES.length).fill(-20);
  kernel[0] = gain;
  bias[0] = -gain * level;
  model.getLayer('head').setWeights([tf.tensor2d(kernel, [1, TEST_CLASSES.length]), tf.tensor1d(bias)]);
  const metadata: ModelMetadata = {
    schemaVersion: 1,
    version: options.version ?? '0.0.1-test',
    createdAt: new Date(0).toISOString(),
    frontEnd: { ...YAMNET_FRONT_END },
    inputShape: [96, 64, 1],
    classes: TEST_CLASSES,
    thresholds: Object.fromEntries(TEST_CLASSES.map((c) => [c, options.threshold ?? 0.5])),
    embeddingLayer: 'embedding',
    description: 'Test model: first class = loudness. Not for deployment.',
  };
  await saveModelPackage(dir, model, metadata);
  model.dispose();
  return dir;
}
