/**
 * A retrain job as stored in `jobs/<id>/status.json`: the queue, the progress
 * and the result live in storage because the API and the worker may not share a disk.
 */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export const RETRAIN_STAGES = ['collect', 'load', 'augment', 'features', 'train', 'onset', 'evaluate', 'publish'] as const;
export type RetrainStage = (typeof RETRAIN_STAGES)[number];

export interface JobRequest {
  v: 1;
  id: string;
  kind: 'retrain';
  /** Refuse to train with fewer new labelled samples than this. */
  minSamples: number;
  mode: 'head' | 'full';
  /** Seeds the split and the training (default: derived from the job id); the same seed on the same data gives the same candidate. */
  seed?: number;
  requestedAt: string;
  /** Who runs it: the API process (`inline`) or a separate worker. */
  runner: 'inline' | 'worker';
}

export interface JobLogLine {
  time: string;
  message: string;
}

export interface JobResult {
  outcome: 'published' | 'rejected';
  version: string;
  /** Labelled samples up to this time were used; newer ones count as new for the next job. */
  dataCutoff: string;
  report: Record<string, unknown>;
}

export interface JobStatus {
  v: 1;
  id: string;
  kind: 'retrain';
  state: JobState;
  stage: RetrainStage | null;
  /** 0..100 over the whole job. */
  percent: number;
  stages: string[];
  /** The last MAX_LOG_LINES lines. */
  log: JobLogLine[];
  request: { minSamples: number; mode: 'head' | 'full'; seed?: number };
  runner: 'inline' | 'worker';
  /** Process that claimed it (host:pid), for diagnosing stuck jobs. */
  claimedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  updatedAt: string;
  finishedAt: string | null;
  result: JobResult | null;
  error: string | null;
  /** Increases with every write; watchers use it to see changes. */
  seq: number;
}

export const MAX_LOG_LINES = 200;

export function isActive(status: Pick<JobStatus, 'state'>): boolean {
  return status.state === 'queued' || status.state === 'running';
}
