import type { Db } from '../core/db.js';

export interface ProcessedFile {
  contentSha256: string;
  path: string;
  sizeBytes: number;
  outcome: 'processed' | 'rejected';
  /** What was (to be) done with the file: move, delete, keep. */
  disposition: string;
  disposedAtMs: number | null;
  destination: string | null;
  error: string | null;
  detections: number;
}

interface Row {
  content_sha256: string; path: string; size_bytes: number; outcome: ProcessedFile['outcome']; disposition: string;
  disposed_at_ms: number | null; destination: string | null; error: string | null; detections: number;
}

/**
 * Drop-folder files already handled, keyed by content hash: a restart never
 * reprocesses a file (even if renamed) and never skips one that was not finished.
 */
export class ProcessedFiles {
  constructor(private readonly db: Db) {}

  get(sha256: string): ProcessedFile | undefined {
    const r = this.db.prepare(`SELECT * FROM processed_files WHERE content_sha256 = ?`).get(sha256) as Row | undefined;
    return r ? toRecord(r) : undefined;
  }

  record(file: Omit<ProcessedFile, 'disposedAtMs' | 'destination'>, nowMs: number): void {
    this.db.prepare(
      `INSERT INTO processed_files (content_sha256, path, size_bytes, processed_at_ms, outcome, disposition, error, detections)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_sha256) DO NOTHING`,
    ).run(file.contentSha256, file.path, file.sizeBytes, nowMs, file.outcome, file.disposition, file.error, file.detections);
  }

  markDisposed(sha256: string, destination: string | null, nowMs: number): void {
    this.db.prepare(`UPDATE processed_files SET disposed_at_ms = ?, destination = ? WHERE content_sha256 = ?`).run(nowMs, destination, sha256);
  }

  all(): ProcessedFile[] {
    return (this.db.prepare(`SELECT * FROM processed_files ORDER BY processed_at_ms`).all() as Row[]).map(toRecord);
  }
}

function toRecord(r: Row): ProcessedFile {
  return {
    contentSha256: r.content_sha256, path: r.path, sizeBytes: r.size_bytes, outcome: r.outcome, disposition: r.disposition,
    disposedAtMs: r.disposed_at_ms, destination: r.destination, error: r.error, detections: r.detections,
  };
}
