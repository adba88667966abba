import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_FILE_PATTERN } from '#shared/util/atomic-file.js';
import type { Db } from '../core/db.js';

export interface RecoveryReport {
  tempFilesRemoved: number;
  detectionsInterrupted: number;
}

/**
 * Start-up repair after an unclean stop. Temp files of interrupted clip writes
 * are removed (their rows were never committed). Detections left open by a
 * live segment that is gone are marked `interrupted` (their audio died with the
 * process); file-backed segments are replayed by their sources and close their
 * own detections again.
 */
export async function recoverAfterCrash(db: Db, clipsDir: string): Promise<RecoveryReport> {
  const tempFilesRemoved = await removeTempFiles(clipsDir);
  const result = db.prepare(
    `UPDATE detections SET status = 'interrupted'
     WHERE status = 'open' AND segment_id IN (SELECT id FROM segments WHERE kind = 'mic')`,
  ).run();
  db.prepare(`UPDATE segments SET status = 'interrupted' WHERE status = 'open' AND kind = 'mic'`).run();
  return { tempFilesRemoved, detectionsInterrupted: result.changes };
}

async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.isFile() && TEMP_FILE_PATTERN.test(entry.name)) {
      await unlink(join(entry.parentPath ?? dir, entry.name)).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}
