import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetStation } from './fleet-station.js';

/** Registers `count` stations (ids `fleet-<n>`), a few requests at a time. */
export async function registerFleet(baseUrl: string, adminKey: string, count: number, concurrency = 16): Promise<FleetStation[]> {
  const stations: FleetStation[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const id = `fleet-${i}`;
      const res = await fetch(`${baseUrl}/api/stations`, {
        method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' }, body: JSON.stringify({ id }),
      });
      if (res.status !== 201) throw new Error(`registering ${id}: ${res.status} ${await res.text()}`);
      stations[i] = { id, token: ((await res.json()) as { token: string }).token };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return stations;
}

/** Bytes the index holds: SQLite pages in use, or the PostgreSQL database's size. */
export async function indexBytes(dataDir: string, databaseUrl?: string): Promise<number> {
  if (databaseUrl) {
    return Number(execFileSync('psql', [databaseUrl, '-Atc', 'SELECT pg_database_size(current_database())'], { encoding: 'utf8' }).trim());
  }
  const path = join(dataDir, 'index.sqlite');
  if (!existsSync(path)) return 0;
  // Pages in use after folding the WAL in (a second connection may checkpoint; the service keeps running).
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
    return pages * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}

/**
 * Waits (bounded) until a sample of the uploaded detections is indexed with
 * its clip available, asking the API as a dashboard would; triggers no
 * listing of the bucket.
 */
export async function waitForIndexed(baseUrl: string, adminKey: string, uploaded: ReadonlyArray<{ eventId: string }>, timeoutMs: number, sample = 200): Promise<{ checked: number; found: number; waitedSec: number }> {
  const step = Math.max(1, Math.floor(uploaded.length / sample));
  const pending = new Set(uploaded.filter((_, i) => i % step === 0).map((u) => u.eventId));
  const checked = pending.size;
  const started = performance.now();
  while (pending.size > 0 && performance.now() - started < timeoutMs) {
    for (const eventId of [...pending]) {
      const res = await fetch(`${baseUrl}/api/detections/${encodeURIComponent(eventId)}`, { headers: { 'x-api-key': adminKey } }).catch(() => undefined);
      if (res?.ok && ((await res.json()) as { clipAvailable?: boolean }).clipAvailable) pending.delete(eventId);
      else await res?.arrayBuffer().catch(() => undefined);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  return { checked, found: checked - pending.size, waitedSec: Math.round((performance.now() - started) / 100) / 10 };
}
