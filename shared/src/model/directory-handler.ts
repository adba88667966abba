import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { ModelError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { tf } from './tf.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/**
 * tf.io handler that reads and writes a layers model as `model.json` plus one
 * weights file in a directory (the same files tfjs-node's `file://` writes, so
 * either can read the other's output). Writes are atomic per file.
 */
export function directoryHandler(dir: string): tf.io.IOHandler {
  return {
    load: () => loadArtifacts(dir),
    save: (artifacts) => saveArtifacts(dir, artifacts),
  };
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = join(dir, MODEL_JSON);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (err) {
    throw new ModelError(`cannot read ${jsonPath}: ${(err as Error).message}`, { cause: err });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelError(`${jsonPath} is not a tfjs layers model (no modelTopology/weightsManifest)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(await readFile(insideDir(dir, p)));
  }
  const weightData = concat(buffers);
  const expected = specs.reduce((sum, s) => sum + byteSize(s), 0);
  if (weightData.byteLength !== expected) {
    throw new ModelError(`weights are ${weightData.byteLength} bytes but model.json describes ${expected}`);
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData,
  };
}

async function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new ModelError('binary model topology is not supported');
  await mkdir(dir, { recursive: true });
  const weights = artifacts.weightData ? Buffer.from(flatten(artifacts.weightData)) : Buffer.alloc(0);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
  };
  await writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
  await writeFileAtomic(join(dir, MODEL_JSON), Buffer.from(JSON.stringify(modelJson)));
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      weightDataBytes: weights.byteLength,
    },
  };
}

function insideDir(dir: string, relative: string): string {
  const full = resolve(dir, relative);
  if (!full.startsWith(resolve(dir) + sep) || basename(full) !== basename(relative)) {
    throw new ModelError(`weights path ${JSON.stringify(relative)} leaves the model directory`);
  }
  return full;
}

function byteSize(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const bytes = spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : spec.dtype === 'bool' ? 1 : 4;
  if (spec.quantization) {
    const q = spec.quantization.dtype === 'uint8' ? 1 : 2;
    return count * q;
  }
  return count * bytes;
}

function concat(buffers: Buffer[]): ArrayBuffer {
  const total = Buffer.concat(buffers);
  return total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength) as ArrayBuffer;
}

function flatten(data: tf.io.WeightData): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  return concat(data.map((b) => Buffer.from(b)));
}
