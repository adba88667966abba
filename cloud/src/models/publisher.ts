import type { KeyObject } from 'node:crypto';
import { signManifest, type Manifest } from '#shared/release/manifest.js';
import { LATEST_KEY, releaseKey, releaseManifestKey, releaseRecordKey } from '#shared/release/layout.js';
import type { LatestPointer, ReleaseAnnouncement } from '#shared/release/pointer.js';
import type { ReleaseRecord } from '#shared/release/record.js';
import { releaseManifestUrl } from '#shared/release/urls.js';
import type { Logger } from '#shared/util/logger.js';
import { isoNow, type Clock } from '#shared/util/clock.js';
import { unavailable } from '../errors.js';
import type { LiveHub } from '../adapters/live-hub.js';
import type { Signer } from './signing-role.js';
import type { ReleasesRepo } from '../adapters/db/releases-repo.js';
import { putJson, type ObjectStorage } from '../adapters/storage/object-storage.js';
import { readReleaseFiles } from './release-files.js';

export interface PublishInput {
  version: string;
  /** Directory holding the model files (model.json, weights.bin, class_names.json, model_metadata.json, reference/). */
  dir: string;
  classes: string[];
  parentVersion: string | null;
  jobId: string | null;
  metrics: Record<string, unknown> | null;
  baselineMetrics: Record<string, unknown> | null;
  gate: ReleaseRecord['gate'];
  report: Record<string, unknown> | null;
}

export interface PublisherDeps {
  storage: ObjectStorage;
  releases: ReleasesRepo;
  /** Undefined when this process does not hold MODEL_SIGNING_KEY: it cannot publish itself. */
  signingKey: KeyObject | undefined;
  /** Who signs: this process, the worker (an API with JOB_RUNNER=worker never holds the key), or nobody. */
  signer: Signer;
  /** Sends the retained announcement (MQTT); a no-op without a broker. */
  announce: (payload: ReleaseAnnouncement) => void;
  /** Absolute base URL stations reach the service at (for manifestUrl). */
  baseUrl: () => string;
  live: LiveHub;
  logger: Logger;
  clock: Clock;
}

export const NO_SIGNING_KEY_REASON = 'MODEL_SIGNING_KEY is not set: model releases cannot be published';

/**
 * Writes releases to storage. Publish order matters: files, then the signed
 * manifest, then release.json, then the latest pointer, then the announcement,
 * so a station that sees the pointer or the announcement finds every file.
 */
export class ReleasePublisher {
  private readonly deps: PublisherDeps;

  constructor(deps: PublisherDeps) {
    this.deps = deps;
  }

  /** This process can sign and publish (it holds the key). */
  get canPublish(): boolean {
    return this.deps.signingKey !== undefined;
  }

  /** Releases can be published: here, or by the worker the jobs go to. */
  get publishingEnabled(): boolean {
    return this.canPublish || this.deps.signer === 'worker';
  }

  get signer(): Signer {
    return this.deps.signer;
  }

  get disabledReason(): string | undefined {
    return this.publishingEnabled ? undefined : NO_SIGNING_KEY_REASON;
  }

  async publish(input: PublishInput): Promise<ReleaseRecord> {
    const key = this.deps.signingKey;
    if (!key) throw unavailable('PUBLISHING_DISABLED', NO_SIGNING_KEY_REASON);
    const createdAt = isoNow(this.deps.clock);
    const files = await this.uploadFiles(input);
    const manifest: Manifest = signManifest({
      schemaVersion: 1,
      version: input.version,
      createdAt,
      files,
      notes: { parentVersion: input.parentVersion, jobId: input.jobId },
    }, key);
    await this.deps.storage.put(releaseManifestKey(input.version), JSON.stringify(manifest, null, 2) + '\n', 'application/json');
    const record = this.record(input, 'published', createdAt, files);
    await putJson(this.deps.storage, releaseRecordKey(input.version), record);
    const pointer: LatestPointer = { v: 1, version: input.version, createdAt };
    await putJson(this.deps.storage, LATEST_KEY, pointer);
    await this.deps.releases.upsert(record);
    await this.deps.releases.setLatest(input.version);
    this.deps.logger.info({ version: input.version, files: files.length }, 'model release published');
    this.announce(pointer);
    this.deps.live.publish('model', record);
    return record;
  }

  /** Keeps a candidate that failed the gate, with its report; stations never see it. */
  async reject(input: PublishInput): Promise<ReleaseRecord> {
    const createdAt = isoNow(this.deps.clock);
    const files = await this.uploadFiles(input);
    const record = this.record(input, 'rejected', createdAt, files);
    await putJson(this.deps.storage, releaseRecordKey(input.version), record);
    await this.deps.releases.upsert(record);
    this.deps.logger.info({ version: input.version, reasons: input.gate?.reasons }, 'model candidate rejected');
    this.deps.live.publish('model', record);
    return record;
  }

  /** Re-announces the newest release (at startup, so a broker that lost its retained message gets it back). */
  async announceLatest(): Promise<void> {
    const latest = await this.deps.releases.latest();
    const record = latest ? await this.deps.releases.get(latest) : undefined;
    if (record) this.announce({ v: 1, version: record.version, createdAt: record.createdAt });
  }

  manifestUrl(version: string, baseUrl = this.deps.baseUrl()): string {
    return releaseManifestUrl(baseUrl, version);
  }

  private announce(pointer: LatestPointer): void {
    this.deps.announce({ v: 1, version: pointer.version, manifestUrl: this.manifestUrl(pointer.version), createdAt: pointer.createdAt });
  }

  private async uploadFiles(input: PublishInput) {
    const files = await readReleaseFiles(input.dir);
    if (files.length === 0) throw new Error(`no release files in ${input.dir}`);
    for (const f of files) await this.deps.storage.put(releaseKey(input.version, f.path), f.bytes);
    return files.map(({ path, sha256, size }) => ({ path, sha256, size }));
  }

  private record(input: PublishInput, status: ReleaseRecord['status'], createdAt: string, files: ReleaseRecord['files']): ReleaseRecord {
    return {
      v: 1,
      version: input.version,
      status,
      createdAt,
      parentVersion: input.parentVersion,
      jobId: input.jobId,
      classes: input.classes,
      metrics: input.metrics,
      baselineMetrics: input.baselineMetrics,
      gate: input.gate,
      files,
      report: input.report,
    };
  }
}
