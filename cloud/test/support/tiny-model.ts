import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { YAMNET_FRONT_END } from '#shared/features/params.js';
import type { ModelMetadata } from '#shared/model/metadata.js';
import { saveModelPackage } from '#shared/model/model-package.js';
import { tf } from '#shared/model/tf.js';
import { buildModel } from '#ml/train/index.js';

export const TINY_CLASSES = ['background', 'chainsaw', 'gunshot'];

/**
 * A small real tfjs model with hand-set weights, so tests know what it does:
 * the embedding is the patch's mean log-mel energy (+20), and loud patches
 * score as gunshot, quiet ones as background. `loudnessBias` moves the point
 * where gunshot wins (a "worse" model for gate tests uses a high one).
 */
export function buildTinyModel(loudnessBias = 18.5): tf.LayersModel {
  const input = tf.input({ shape: [96, 64, 1] });
  const shift = tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'relu', name: 'shift', weights: [tf.ones([1, 1, 1, 1]), tf.tensor1d([20])] });
  const pool = tf.layers.globalAveragePooling2d({ name: 'embedding' });
  const head = tf.layers.dense({
    units: 3, activation: 'softmax', name: 'head',
    weights: [tf.tensor2d([[-2, 0, 2]]), tf.tensor1d([2 * loudnessBias, -5, -2 * loudnessBias])],
  });
  const output = head.apply(pool.apply(shift.apply(input))) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

export function tinyMetadata(version: string): ModelMetadata {
  return {
    schemaVersion: 1,
    version,
    createdAt: '2026-01-01T00:00:00.000Z',
    frontEnd: { ...YAMNET_FRONT_END },
    inputShape: [96, 64, 1],
    classes: TINY_CLASSES,
    thresholds: { background: 0.5, chainsaw: 0.5, gunshot: 0.5 },
    embeddingLayer: 'embedding',
    description: 'test model: loud means gunshot',
  };
}

/** Writes the tiny model as a model directory (what models/ holds) and returns its path. */
export async function writeTinyModelDir(version = '2026.01.01-1', loudnessBias = 18.5): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-tiny-model-'));
  await saveModelPackage(dir, buildTinyModel(loudnessBias), tinyMetadata(version));
  return dir;
}

/**
 * A model of the real architecture (ml/src/train buildModel) with untrained
 * weights: head-only retraining needs its layers. Its head starts near "absent"
 * for every class, so before training it detects nothing.
 */
export async function writeTrainableBaseDir(version = '2026.01.01-1'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-base-model-'));
  const model = buildModel({ classCount: TINY_CLASSES.length, patchShape: [96, 64], normalisation: { mean: -4, std: 3 }, seed: 3 });
  await saveModelPackage(dir, model, { ...tinyMetadata(version), description: 'test base: real architecture, untrained' });
  return dir;
}
