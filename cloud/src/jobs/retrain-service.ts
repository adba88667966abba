import { invalid, unavailable } from '../errors.js';
import type { Repos } from '../adapters/db/repos.js';
import type { ReleasePublisher } from '../models/publisher.js';
import type { JobRunner } from './job-runner.js';
import type { JobStatus } from './job-status.js';

export interface RetrainRequest {
  minSamples: number;
  mode: 'head' | 'full';
  /** See JobRequest.seed. */
  seed?: number;
}

/**
 * Decides whether a retrain may start: publishing must be possible and enough
 * labelled samples must be new since the last finished job; then one job at a time.
 */
export class RetrainService {
  private readonly repos: Pick<Repos, 'uploads' | 'detections' | 'jobs'>;
  private readonly runner: JobRunner;
  private readonly publisher: Pick<ReleasePublisher, 'publishingEnabled' | 'disabledReason'>;

  constructor(repos: Pick<Repos, 'uploads' | 'detections' | 'jobs'>, runner: JobRunner, publisher: Pick<ReleasePublisher, 'publishingEnabled' | 'disabledReason'>) {
    this.repos = repos;
    this.runner = runner;
    this.publisher = publisher;
  }

  /** Labelled samples (uploads + reviewed clips in storage) newer than the last finished job's data. */
  async newSampleCount(): Promise<number> {
    const cutoff = (await this.repos.jobs.lastDataCutoff()) ?? '';
    return (await this.repos.uploads.countSince(cutoff)) + (await this.repos.detections.countReviewedSince(cutoff));
  }

  async start(request: RetrainRequest): Promise<JobStatus> {
    // With JOB_RUNNER=worker the API holds no key: the worker signs, so the request is queued.
    if (!this.publisher.publishingEnabled) throw unavailable('PUBLISHING_DISABLED', this.publisher.disabledReason ?? 'publishing is disabled');
    return this.runner.submit({ minSamples: request.minSamples, mode: request.mode, ...(request.seed !== undefined ? { seed: request.seed } : {}) }, async () => {
      const count = await this.newSampleCount();
      if (count < request.minSamples) {
        throw invalid('NOT_ENOUGH_SAMPLES',
          `only ${count} new labelled sample${count === 1 ? '' : 's'} since the last retrain; at least ${request.minSamples} needed (upload or review more clips, or lower min_samples)`,
          { new_samples: count, min_samples: request.minSamples });
      }
    });
  }
}
