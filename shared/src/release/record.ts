import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ManifestFileSchema } from './manifest.js';
import { ReleaseVersionSchema } from './version.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Facts = Type.Record(Type.String(), Type.Unknown());

/**
 * `models/<version>/release.json`: what the cloud knows about one model
 * version, published or rejected (only published ones also have a signed
 * manifest.json). The API and the worker read it back from the bucket, so it
 * is checked against this schema whenever it is read.
 */
export const ReleaseRecordSchema = Type.Object({
  v: Type.Literal(1),
  version: ReleaseVersionSchema,
  status: Type.Union([Type.Literal('published'), Type.Literal('rejected')]),
  createdAt: Type.String(),
  parentVersion: Nullable(Type.String()),
  jobId: Nullable(Type.String()),
  classes: Type.Array(Type.String()),
  /** This model on the job's evaluation split; null for the shipped model. */
  metrics: Nullable(Facts),
  /** The parent model on the same split. */
  baselineMetrics: Nullable(Facts),
  gate: Nullable(Type.Object({ passed: Type.Boolean(), reasons: Type.Array(Type.String()) })),
  files: Type.Array(ManifestFileSchema),
  /** Free-form facts from the job (sample counts, settings, timings). */
  report: Nullable(Facts),
});
export type ReleaseRecord = Static<typeof ReleaseRecordSchema>;
