import { createHash } from 'node:crypto';
import autocannon from 'autocannon';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { clipObjectKey, sidecarKeyFor } from '#shared/bucket/layout.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { whiteNoise } from './signals.js';

/** A load run: `stations` stations at once, each looping presign -> PUT clip -> PUT sidecar -> three dashboard reads. */
export interface StationLoadPlan {
  /** The cloud, e.g. `http://127.0.0.1:8000`. Presigned URLs must point back at it (STORAGE=fs). */
  baseUrl: string;
  adminKey: string;
  /** Concurrent stations (one HTTP connection each). */
  stations: number;
  /** Loops per station (bounds the request count). */
  cyclesPerStation: number;
  /** Hard stop, whatever is left (bounds the time). */
  maxDurationSec: number;
  /** Station ids are `<idPrefix>-<n>`; default `load`. */
  idPrefix?: string;
  /** Length of each clip, seconds (16 kHz 16-bit mono). Default 1. */
  clipSec?: number;
}

/** An object whose PUT was answered 200: the service promised to keep these bytes. */
export interface AckedObject {
  key: string;
  sha256: string;
  bytes: number;
}

/** A clip whose clip and sidecar PUTs were both acknowledged: it must become a detection. */
export interface AckedClip {
  stationId: string;
  eventId: string;
  clipKey: string;
}

export interface StationLoadRun {
  durationSec: number;
  /** Requests answered (any status). */
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers by HTTP status. */
  statusCounts: Record<string, number>;
  errors5xx: number;
  non2xx: number;
  /** Connection errors and per-request timeouts (10 s). */
  socketErrors: number;
  timeouts: number;
  acked: AckedObject[];
  clips: AckedClip[];
  stationIds: string[];
}

interface Station {
  id: string;
  token: string;
}

/** Registers `count` stations with the admin key, each with its own token. */
export async function registerStations(baseUrl: string, adminKey: string, count: number, idPrefix: string): Promise<Station[]> {
  const stations: Station[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${idPrefix}-${i}`;
    const res = await fetch(`${baseUrl}/api/stations`, {
      method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' }, body: JSON.stringify({ id }),
    });
    if (res.status !== 201) throw new Error(`registering ${id}: ${res.status} ${await res.text()}`);
    stations.push({ id, token: ((await res.json()) as { token: string }).token });
  }
  return stations;
}

/** One clip as a station would upload it: WAV bytes unique to the clip, and its sidecar. */
export function makeClip(stationId: string, eventId: string, base: Uint8Array, serial: number, startTimeMs: number): { clipKey: string; wav: Buffer; sidecar: Buffer } {
  const wav = Buffer.from(base);
  // Make every clip's bytes unique, so a clip stored under the wrong key is caught by its hash.
  wav.writeUInt32LE(serial >>> 0, 44);
  const clipKey = clipObjectKey(stationId, eventId, startTimeMs);
  const start = new Date(startTimeMs).toISOString();
  const sidecar: ClipSidecar = {
    v: 1, stationId, clipId: eventId, clipKey, sha256: sha256(wav), bytes: wav.byteLength, sampleRateHz: 16000,
    durationSec: (wav.byteLength - 44) / 32000, clipStartTime: start,
    detection: {
      eventId, label: 'gunshot', confidence: 0.9, startTime: start, endTime: start, peakTime: start, windowCount: 2, shotCount: 1,
      scores: { gunshot: 0.9, background: 0.1 },
    },
    modelVersion: 'load-test', source: 'mic', createdAt: start,
  };
  return { clipKey, wav, sidecar: Buffer.from(JSON.stringify(sidecar)) };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Cycle {
  station: Station;
  eventId: string;
  clipKey: string;
  wav: Buffer;
  sidecar: Buffer;
  urls?: Record<string, { path: string; headers: Record<string, string> }>;
  clipAcked?: boolean;
}

/**
 * Drives the cloud with autocannon: each connection is a station looping
 * presign -> PUT clip -> PUT sidecar (to the presigned URLs, which with
 * STORAGE=fs are the service's own /api/objects) -> GET /api/detections,
 * /api/stations, /status. Records every acknowledged PUT for verification.
 */
export async function runStationLoad(plan: StationLoadPlan): Promise<StationLoadRun> {
  const idPrefix = plan.idPrefix ?? 'load';
  const stations = await registerStations(plan.baseUrl, plan.adminKey, plan.stations, idPrefix);
  const bases = stations.map((_, i) => encodeWav16(whiteNoise(plan.clipSec ?? 1, 0.2, 100 + i), 16000));
  const acked: AckedObject[] = [];
  const clips: AckedClip[] = [];
  let serial = 0;
  const cycleOf = (context: Record<string, unknown>): Cycle | undefined => context.cycle as Cycle | undefined;
  const putStep = (which: 'clip' | 'sidecar'): autocannon.Request => ({
    setupRequest: (req, context) => {
      const cycle = cycleOf(context);
      const key = which === 'clip' ? cycle?.clipKey : cycle && sidecarKeyFor(cycle.clipKey);
      const target = key ? cycle?.urls?.[key] : undefined;
      // No URL (the presign failed, already counted): start the loop over.
      if (!cycle || !key || !target || (which === 'sidecar' && !cycle.clipAcked)) return undefined;
      return { ...req, method: 'PUT', path: target.path, headers: target.headers, body: which === 'clip' ? cycle.wav : cycle.sidecar };
    },
    onResponse: (status, _body, context) => {
      const cycle = cycleOf(context);
      if (status !== 200 || !cycle) return;
      const body = which === 'clip' ? cycle.wav : cycle.sidecar;
      const key = which === 'clip' ? cycle.clipKey : sidecarKeyFor(cycle.clipKey);
      acked.push({ key, sha256: sha256(body), bytes: body.byteLength });
      if (which === 'clip') cycle.clipAcked = true;
      else clips.push({ stationId: cycle.station.id, eventId: cycle.eventId, clipKey: cycle.clipKey });
    },
  });
  const requests: autocannon.Request[] = [
    {
      setupRequest: (req, context) => {
        const n = serial++;
        const station = stations[n % stations.length];
        const eventId = `ev-${n}`;
        const { clipKey, wav, sidecar } = makeClip(station.id, eventId, bases[n % bases.length], n, Date.now());
        context.cycle = { station, eventId, clipKey, wav, sidecar } satisfies Cycle;
        return {
          ...req, method: 'POST', path: `/api/stations/${station.id}/presign`,
          headers: { 'content-type': 'application/json', 'x-station-token': station.token },
          body: JSON.stringify({ objects: [{ key: clipKey, bytes: wav.byteLength }, { key: sidecarKeyFor(clipKey), bytes: sidecar.byteLength }] }),
        };
      },
      onResponse: (status, body, context) => {
        const cycle = cycleOf(context);
        if (status !== 200 || !cycle) return;
        const { urls } = JSON.parse(body) as { urls: Array<{ key: string; url: string; headers: Record<string, string> }> };
        cycle.urls = Object.fromEntries(urls.map((u) => {
          const url = new URL(u.url);
          return [u.key, { path: `${url.pathname}${url.search}`, headers: u.headers }];
        }));
      },
    },
    putStep('clip'),
    putStep('sidecar'),
    {
      setupRequest: (req, context) => ({ ...req, method: 'GET', path: `/api/detections?station=${cycleOf(context)?.station.id ?? ''}&limit=20` }),
    },
    { method: 'GET', path: '/api/stations' },
    { method: 'GET', path: '/status' },
  ];
  const instance = autocannon({
    url: plan.baseUrl,
    connections: plan.stations,
    amount: plan.stations * plan.cyclesPerStation * requests.length,
    timeout: 10,
    requests,
  });
  const timer = setTimeout(() => instance.stop(), plan.maxDurationSec * 1000);
  const result = await instance;
  clearTimeout(timer);
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const answered = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return {
    durationSec: result.duration,
    requests: answered,
    requestsPerSec: result.duration > 0 ? answered / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statusCounts,
    errors5xx: result['5xx'],
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    acked,
    clips,
    stationIds: stations.map((s) => s.id),
  };
}

/**
 * The same station loop with fetch, for presigned URLs that point elsewhere
 * (STORAGE=s3: the PUTs go to the bucket, which autocannon cannot follow).
 * Latency figures are not collected.
 */
export async function runStationLoadWithFetch(plan: StationLoadPlan): Promise<StationLoadRun> {
  const idPrefix = plan.idPrefix ?? 'load';
  const stations = await registerStations(plan.baseUrl, plan.adminKey, plan.stations, idPrefix);
  const statusCounts: Record<string, number> = {};
  const count = (status: number) => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
  };
  const acked: AckedObject[] = [];
  const clips: AckedClip[] = [];
  let socketErrors = 0;
  let serial = 0;
  const started = performance.now();
  const deadline = Date.now() + plan.maxDurationSec * 1000;
  const call = async (url: string, init: RequestInit): Promise<Response | undefined> => {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
      count(res.status);
      return res;
    } catch {
      socketErrors++;
      return undefined;
    }
  };
  await Promise.all(stations.map(async (station, i) => {
    const base = encodeWav16(whiteNoise(plan.clipSec ?? 1, 0.2, 100 + i), 16000);
    for (let c = 0; c < plan.cyclesPerStation && Date.now() < deadline; c++) {
      const n = serial++;
      const eventId = `ev-${n}`;
      const { clipKey, wav, sidecar } = makeClip(station.id, eventId, base, n, Date.now());
      const presign = await call(`${plan.baseUrl}/api/stations/${station.id}/presign`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-station-token': station.token },
        body: JSON.stringify({ objects: [{ key: clipKey, bytes: wav.byteLength }, { key: sidecarKeyFor(clipKey), bytes: sidecar.byteLength }] }),
      });
      if (presign?.status !== 200) continue;
      const { urls } = (await presign.json()) as { urls: Array<{ key: string; url: string; headers: Record<string, string> }> };
      let stored = 0;
      for (const [key, body] of [[clipKey, wav], [sidecarKeyFor(clipKey), sidecar]] as const) {
        const target = urls.find((u) => u.key === key);
        const put = target && (await call(target.url, { method: 'PUT', headers: target.headers, body }));
        if (put?.status !== 200) break;
        await put.arrayBuffer();
        acked.push({ key, sha256: sha256(body), bytes: body.byteLength });
        stored++;
      }
      if (stored === 2) clips.push({ stationId: station.id, eventId, clipKey });
      for (const path of [`/api/detections?station=${station.id}&limit=20`, '/api/stations', '/status']) await (await call(`${plan.baseUrl}${path}`, {}))?.arrayBuffer();
    }
  }));
  const durationSec = (performance.now() - started) / 1000;
  const answered = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  const non2xx = Object.entries(statusCounts).filter(([s]) => !s.startsWith('2')).reduce((a, [, n]) => a + n, 0);
  const errors5xx = Object.entries(statusCounts).filter(([s]) => s.startsWith('5')).reduce((a, [, n]) => a + n, 0);
  return {
    durationSec, requests: answered, requestsPerSec: answered / durationSec, p50Ms: NaN, p99Ms: NaN, maxMs: NaN,
    statusCounts, errors5xx, non2xx, socketErrors, timeouts: 0, acked, clips, stationIds: stations.map((s) => s.id),
  };
}
