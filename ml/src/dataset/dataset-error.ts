import { EcoSightError } from '#shared/errors.js';

/** A source list or dataset index failed validation; `problems` lists every one, with file and line. */
export class DatasetFileError extends EcoSightError {
  readonly problems: readonly string[];

  constructor(origin: string, problems: readonly string[]) {
    super('DATASET_FILE_INVALID', `invalid ${origin}:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** Fetching the dataset failed for one or more packages; `failures` says which and why. */
export class DatasetFetchError extends EcoSightError {
  readonly failures: readonly PackageFailure[];

  constructor(failures: readonly PackageFailure[]) {
    const lines = failures.map((f) => `${f.package}: ${f.reason}`);
    super('DATASET_FETCH_FAILED', `data fetch failed for ${failures.length} package(s):\n  - ${lines.join('\n  - ')}`);
    this.failures = failures;
  }
}

export interface PackageFailure {
  package: string;
  reason: string;
}
