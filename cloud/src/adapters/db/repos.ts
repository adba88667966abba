import type pg from 'pg';
import type { DetectionsRepo } from './detections-repo.js';
import type { JobsRepo } from './jobs-repo.js';
import type { LoggingRepo } from './logging-repo.js';
import type { ReleasesRepo } from './releases-repo.js';
import type { StationsRepo } from './stations-repo.js';
import type { UploadsRepo } from './uploads-repo.js';

/** Which engine holds the index: an SQLite file in DATA_DIR, or PostgreSQL at DATABASE_URL. */
export type IndexEngine = 'sqlite' | 'postgres';

/**
 * The index: one repository per table group, the same interfaces on either
 * engine. Every call resolves once its statement has been applied; each call is
 * atomic on its own (merges happen in one statement or one transaction).
 */
export interface Repos {
  engine: IndexEngine;
  stations: StationsRepo;
  uploads: UploadsRepo;
  detections: DetectionsRepo;
  jobs: JobsRepo;
  releases: ReleasesRepo;
  logging: LoggingRepo;
  /** Closes the connection(s): the last step of stop. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenedIndex {
  repos: Repos;
  /** True when the index was empty before (a fresh disk or database): the caller should reindex from storage. */
  created: boolean;
  /**
   * PostgreSQL only: the index's connection pool, for work across instances that is
   * not a repository's (advisory locks, LISTEN/NOTIFY). Closed by repos.close().
   */
  pgPool?: pg.Pool;
}

/**
 * An index being rebuilt beside the live one (`ecosight-cloud reindex`): filled
 * through `repos`, then swapped in at once by `commit`, or thrown away by `discard`.
 */
export interface IndexRebuild {
  repos: Repos;
  /** Replaces the live index with the rebuilt one; resolves to where it now lives (for the message). */
  commit(): Promise<string>;
  discard(): Promise<void>;
}
