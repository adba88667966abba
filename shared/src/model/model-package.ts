import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { directoryHandler } from './directory-handler.js';
import { parseModelMetadata, type ModelMetadata } from './metadata.js';
import { tf } from './tf.js';

export const CLASS_NAMES_FILE = 'class_names.json';
export const METADATA_FILE = 'model_metadata.json';

/** A loaded model with everything needed to feed it and read its outputs. */
export interface ModelPackage {
  dir: string;
  model: tf.LayersModel;
  classNames: string[];
  metadata: ModelMetadata;
}

/** The model shipped in the repository's `models/` folder. */
export function shippedModelDir(): string {
  return join(repositoryRoot(), 'models');
}

/** The repository (or installed package) root: the nearest ancestor holding package.json. */
export function repositoryRoot(): string {
  // Works from sources (<root>/shared/src/model) and from the build (<root>/dist/shared/src/model).
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new ModelError('cannot locate the EcoSight installation root');
    dir = parent;
  }
  return dir;
}

/**
 * Loads and cross-checks a model directory: metadata schema, class list, and
 * that the network's input and output shapes match them. Any mismatch is a
 * ModelError and nothing half-loaded is returned.
 */
export async function loadModelPackage(dir: string): Promise<ModelPackage> {
  const metadata = parseModelMetadata(await readJson(join(dir, METADATA_FILE)), join(dir, METADATA_FILE));
  const classNames = await readJson(join(dir, CLASS_NAMES_FILE));
  if (!Array.isArray(classNames) || !classNames.every((c) => typeof c === 'string')) {
    throw new ModelError(`${CLASS_NAMES_FILE} must be a JSON array of strings`);
  }
  if (classNames.join('\n') !== metadata.classes.join('\n')) {
    throw new ModelError(`${CLASS_NAMES_FILE} and ${METADATA_FILE} list different classes`);
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(directoryHandler(dir));
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`cannot load model in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  try {
    checkShapes(model, metadata, classNames.length);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { dir, model, classNames: classNames as string[], metadata };
}

/** Writes model files, class names and metadata into `dir` (each file atomically). */
export async function saveModelPackage(dir: string, model: tf.LayersModel, metadata: ModelMetadata): Promise<void> {
  parseModelMetadata(metadata, 'metadata to save');
  checkShapes(model, metadata, metadata.classes.length);
  await model.save(directoryHandler(dir));
  await writeFileAtomic(join(dir, CLASS_NAMES_FILE), JSON.stringify(metadata.classes, null, 2) + '\n');
  await writeFileAtomic(join(dir, METADATA_FILE), JSON.stringify(metadata, null, 2) + '\n');
}

function checkShapes(model: tf.LayersModel, metadata: ModelMetadata, classCount: number): void {
  const input = model.inputs[0]?.shape ?? [];
  const want = [null, ...metadata.inputShape];
  if (input.length !== want.length || input.some((d, i) => i > 0 && d !== want[i])) {
    throw new ModelError(`model input shape ${JSON.stringify(input)} does not match metadata ${JSON.stringify(want)}`);
  }
  if (metadata.inputShape[0] !== metadata.frontEnd.patchFrames || metadata.inputShape[1] !== metadata.frontEnd.melBands) {
    throw new ModelError('metadata inputShape disagrees with its front-end parameters');
  }
  const output = model.outputs[0]?.shape ?? [];
  if (output.length !== 2 || output[1] !== classCount) {
    throw new ModelError(`model output shape ${JSON.stringify(output)} does not match ${classCount} classes`);
  }
  if (!model.layers.some((l) => l.name === metadata.embeddingLayer)) {
    throw new ModelError(`embedding layer "${metadata.embeddingLayer}" is not in the model`);
  }
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelError(`missing model file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelError(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
