import { cp, mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { METADATA_FILE } from '#shared/model/model-package.js';
import { parseModelMetadata } from '#shared/model/metadata.js';
import type { Logger } from '#shared/util/logger.js';
import type { ReleasesRepo } from '../adapters/db/releases-repo.js';
import type { ReleasePublisher } from './publisher.js';

export interface BootstrapDeps {
  releases: ReleasesRepo;
  publisher: ReleasePublisher;
  shippedDir: string;
  logger: Logger;
}

/**
 * Publishes the shipped model as the first release when storage holds none, so
 * stations always have something signed to pull. Without a signing key nothing is
 * published (never unsigned): the service says so once and keeps serving.
 */
export async function publishShippedIfNone(deps: BootstrapDeps): Promise<'published' | 'exists' | 'no-key'> {
  if ((await deps.releases.latest()) !== undefined) return 'exists';
  if (!deps.publisher.canPublish) {
    deps.logger.warn(`${deps.publisher.disabledReason}; the shipped model is used for /predict but stations get no release`);
    return 'no-key';
  }
  const metadata = parseModelMetadata(JSON.parse(await readFile(join(deps.shippedDir, METADATA_FILE), 'utf8')), METADATA_FILE);
  const staging = await mkdtemp(join(tmpdir(), 'ecosight-shipped-'));
  try {
    await cp(deps.shippedDir, staging, { recursive: true, filter: (src) => !/\/\.|\.tmp-/.test(src.slice(deps.shippedDir.length)) });
    await ensureReferenceClips(staging, metadata.frontEnd.sampleRateHz);
    await deps.publisher.publish({
      version: metadata.version,
      dir: staging,
      classes: metadata.classes,
      parentVersion: null,
      jobId: null,
      metrics: (metadata.metrics as Record<string, unknown> | undefined) ?? null,
      baselineMetrics: null,
      gate: null,
      report: { origin: 'shipped model (models/ in the repository)' },
    });
    return 'published';
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Stations run a release on its reference clips before switching to it. A model
 * folder without any gets two short deterministic ones: silence and a noise burst.
 */
export async function ensureReferenceClips(dir: string, sampleRateHz: number): Promise<void> {
  const refDir = join(dir, 'reference');
  const existing = await readdir(refDir).catch(() => [] as string[]);
  if (existing.some((f) => f.endsWith('.wav'))) return;
  await mkdir(refDir, { recursive: true });
  const n = Math.round(1.5 * sampleRateHz);
  const silence = new Float32Array(n);
  const burst = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const envelope = Math.exp(-((i / sampleRateHz - 0.5) ** 2) / 0.01);
    burst[i] = 0.5 * envelope * ((seed / 2 ** 32) * 2 - 1);
  }
  await writeFile(join(refDir, '0.wav'), encodeWav16(silence, sampleRateHz));
  await writeFile(join(refDir, '1.wav'), encodeWav16(burst, sampleRateHz));
}
