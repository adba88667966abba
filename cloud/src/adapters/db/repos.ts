import type { DetectionsRepo } from './detections-repo.js';
import type { IndexDb } from './index-db.js';
import type { JobsRepo } from './jobs-repo.js';
import type { LoggingRepo } from './logging-repo.js';
import type { ReleasesRepo } from './releases-repo.js';
import type { StationsRepo } from './stations-repo.js';
import type { UploadsRepo } from './uploads-repo.js';

/** The index: one SQLite file, one repository per table group. */
export interface Repos {
  db: IndexDb;
  stations: StationsRepo;
  uploads: UploadsRepo;
  detections: DetectionsRepo;
  jobs: JobsRepo;
  releases: ReleasesRepo;
  logging: LoggingRepo;
}
