import type { ManifestFile } from '#shared/manifest/manifest.js';

/**
 * `models/<version>/release.json`: what the service knows about one model
 * version, published or rejected. Published ones also have a signed manifest.json.
 */
export interface ReleaseRecord {
  v: 1;
  version: string;
  status: 'published' | 'rejected';
  createdAt: string;
  parentVersion: string | null;
  jobId: string | null;
  classes: string[];
  /** This model on the job's evaluation split; null for the shipped model. */
  metrics: Record<string, unknown> | null;
  /** The parent model on the same split. */
  baselineMetrics: Record<string, unknown> | null;
  gate: { passed: boolean; reasons: string[] } | null;
  files: ManifestFile[];
  /** Free-form facts from the job (sample counts, settings, timings). */
  report: Record<string, unknown> | null;
}

/** `models/latest.json`: which published version stations should run. */
export interface LatestPointer {
  v: 1;
  version: string;
  createdAt: string;
}

export const MODELS_PREFIX = 'models/';
export const LATEST_KEY = 'models/latest.json';

export const releaseKey = (version: string, file: string) => `models/${version}/${file}`;
