import { Type, type Static } from '@sinclair/typebox';
import { validateConfig } from '../config/validate.js';
import { ModelError, ConfigError } from '../errors.js';
import { ReleaseVersionSchema } from '../release/version.js';
import { SafeName } from '../util/safe-name.js';

export const FrontEndSchema = Type.Object({
  sampleRateHz: Type.Number(),
  windowSec: Type.Number(),
  hopSec: Type.Number(),
  fftLength: Type.Integer(),
  melBands: Type.Integer(),
  melMinHz: Type.Number(),
  melMaxHz: Type.Number(),
  logOffset: Type.Number(),
  patchFrames: Type.Integer(),
  patchHopSec: Type.Number(),
}, { additionalProperties: false });

/** `model_metadata.json`: what a model is, how to feed it, and how it was made. */
export const ModelMetadataSchema = Type.Object({
  schemaVersion: Type.Literal(1),
  /** Release version, compared numerically part by part (e.g. `2026.11.26-3`); a safe name (it names folders). */
  version: ReleaseVersionSchema,
  createdAt: Type.String(),
  frontEnd: FrontEndSchema,
  /** [frames, melBands, 1]. */
  inputShape: Type.Tuple([Type.Integer(), Type.Integer(), Type.Integer()]),
  /** Labels: safe names, because they end up in object keys, topics and file names. */
  classes: Type.Array(SafeName({ description: 'label' }), { minItems: 1 }),
  /** Per-class decision thresholds chosen on validation data. */
  thresholds: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 })),
  /** Name of the layer whose output is the embedding (for head-only retraining). */
  embeddingLayer: Type.String(),
  description: Type.Optional(Type.String()),
  gitCommit: Type.Optional(Type.String()),
  /** Training data, counts and settings; free-form but recorded. */
  training: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Validation metrics; free-form but recorded. */
  metrics: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Classes with too little real data to trust, and why. */
  weakClasses: Type.Optional(Type.Record(Type.String(), Type.String())),
}, { additionalProperties: true });

export type ModelMetadata = Static<typeof ModelMetadataSchema>;

export function parseModelMetadata(input: unknown, source: string): ModelMetadata {
  try {
    return validateConfig(ModelMetadataSchema, input, source);
  } catch (err) {
    if (err instanceof ConfigError) throw new ModelError(`bad model metadata: ${err.problems.join('; ')}`);
    throw err;
  }
}

/**
 * Orders release versions: numeric parts compare as numbers, others as text.
 * Returns <0, 0 or >0 like a sort comparator.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_]/);
  const pb = b.split(/[.\-_]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    if (x === '') return -1;
    if (y === '') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
