import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudConfig } from '#shared/config/cloud-config.js';
import { packageVersion } from '#shared/util/package-version.js';
import { createS3Client } from '#shared/s3/client.js';
import type { Logger } from '#shared/util/logger.js';
import { systemClock, type Clock } from '#shared/util/clock.js';
import { Ingestor } from './ingest/ingestor.js';
import { rebuildIndex, type ReindexCounts } from './ingest/reindex.js';
import type { IndexRebuild, OpenedIndex, Repos } from './adapters/db/repos.js';
import { DEFAULT_PG_SCHEMA, type PgTarget } from './adapters/db/postgres/pg-db.js';
import { openPostgresIndex, rebuildPostgresIndex } from './adapters/db/postgres/pg-index.js';
import { openSqliteIndex, rebuildSqliteIndex } from './adapters/db/sqlite-index.js';
import { LiveHub } from './adapters/live-hub.js';
import { loadOrCreateSecret, UrlSigner } from './adapters/storage/fs-presigner.js';
import { FsStorage } from './adapters/storage/fs-storage.js';
import type { ObjectStorage } from './adapters/storage/object-storage.js';
import { S3Storage } from './adapters/storage/s3-storage.js';

// Building blocks of the composition root that CLI commands (reindex, station-token,
// mqtt-acl) use on their own: the index, the storage driver, a rebuild.

/** The SQLite index file inside DATA_DIR. */
export const indexPath = (config: CloudConfig) => join(config.dataDir, 'index.sqlite');

/** Opens the configured index and its repositories. */
export async function openIndex(config: CloudConfig, logger?: Logger): Promise<OpenedIndex> {
  if (config.databaseUrl) return openPostgresIndex(pgTarget(config, logger));
  return openSqliteIndex(indexPath(config));
}

/** A fresh index beside the configured one, to fill and swap in (`ecosight-cloud reindex`). */
export async function rebuildIndexTarget(config: CloudConfig): Promise<IndexRebuild> {
  if (config.databaseUrl) return rebuildPostgresIndex(pgTarget(config));
  return rebuildSqliteIndex(indexPath(config));
}

const pgTarget = (config: CloudConfig, logger?: Logger): PgTarget => ({
  url: config.databaseUrl,
  schema: DEFAULT_PG_SCHEMA,
  onIdleError: (err) => logger?.warn({ err: err.message }, 'PostgreSQL connection lost; the next query reconnects'),
});

/** The configured storage driver. */
export async function createStorage(config: CloudConfig, s3Client?: S3Client): Promise<{ storage: ObjectStorage; urlSigner: UrlSigner | undefined }> {
  if (config.storage === 's3') {
    const client = s3Client ?? createS3Client({ endpoint: config.s3Endpoint, region: config.awsRegion, forcePathStyle: config.s3ForcePathStyle, maxAttempts: 3 });
    return { storage: new S3Storage(client, config.s3Bucket), urlSigner: undefined };
  }
  const urlSigner = new UrlSigner(await loadOrCreateSecret(join(config.dataDir, 'presign-secret')));
  return { storage: new FsStorage(join(config.dataDir, 'objects'), urlSigner), urlSigner };
}

/** Rebuilds an index from storage alone (reindex command, fresh disks). */
export async function reindexFromStorage(storage: ObjectStorage, repos: Repos, logger: Logger, clock: Clock = systemClock): Promise<ReindexCounts> {
  const ingestor = new Ingestor({ storage, detections: repos.detections, stations: repos.stations, live: new LiveHub(), logger, clock });
  return rebuildIndex(storage, repos, ingestor, logger);
}

export function softwareVersion(): string {
  return packageVersion('0.0.0');
}

