import { sha256, type StationLoadRun } from './station-load.js';

export interface LoadVerdict {
  /** Objects and detections looked at. */
  checked: number;
  /** What is missing or wrong (must be empty). */
  lost: string[];
}

/**
 * Every acknowledged PUT must be in storage with its bytes, and every clip
 * whose sidecar was acknowledged must be an indexed detection with its clip
 * available (after POST /api/scan, which S3 uploads need). Each station's
 * detection count must equal its acknowledged sidecars: no phantoms.
 */
export async function verifyStationLoad(run: StationLoadRun, baseUrl: string, adminKey: string, readObject: (key: string) => Promise<Buffer | undefined>): Promise<LoadVerdict> {
  const lost: string[] = [];
  let checked = 0;
  // The cloud is private by default: reads need a key too.
  const auth = { 'x-api-key': adminKey };
  for (const obj of run.acked) {
    checked++;
    const stored = await readObject(obj.key);
    if (!stored) lost.push(`${obj.key}: acknowledged but not in storage`);
    else if (stored.byteLength !== obj.bytes || sha256(stored) !== obj.sha256) lost.push(`${obj.key}: stored bytes differ from the upload`);
  }
  const scan = await fetch(`${baseUrl}/api/scan`, { method: 'POST', headers: auth });
  if (scan.status !== 200) lost.push(`POST /api/scan answered ${scan.status}`);
  for (const clip of run.clips) {
    checked++;
    const res = await fetch(`${baseUrl}/api/detections/${clip.eventId}`, { headers: auth });
    if (res.status !== 200) {
      lost.push(`${clip.eventId}: sidecar acknowledged but no detection (${res.status})`);
      continue;
    }
    const d = (await res.json()) as { stationId: string; clipKey: string; clipAvailable: boolean };
    if (d.stationId !== clip.stationId || d.clipKey !== clip.clipKey || !d.clipAvailable) {
      lost.push(`${clip.eventId}: detection is ${JSON.stringify({ stationId: d.stationId, clipKey: d.clipKey, clipAvailable: d.clipAvailable })}`);
    }
  }
  for (const id of run.stationIds) {
    const want = run.clips.filter((c) => c.stationId === id).length;
    const res = await fetch(`${baseUrl}/api/detections?station=${id}&limit=1`, { headers: auth });
    const total = res.status === 200 ? ((await res.json()) as { total: number }).total : -1;
    if (total !== want) lost.push(`${id}: ${total} detections indexed, ${want} sidecars acknowledged`);
  }
  return { checked, lost };
}
