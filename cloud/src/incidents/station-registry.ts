import { distanceM, type GeoPosition } from '#shared/geo/enu.js';
import { positionOf } from './observations.js';

/** What the incident engine knows about a station: where it is and whether it is listening. */
export interface StationState {
  stationId: string;
  position: GeoPosition | null;
  online: boolean;
  lastSeenMs: number;
}

/**
 * Positions and liveness from status, telemetry and alerts. A station counts
 * as listening while its retained status says online and it was heard from
 * within `staleAfterMs` (telemetry comes every minute by default).
 */
export class StationRegistry {
  private readonly stations = new Map<string, StationState>();

  constructor(private readonly staleAfterMs: number) {}

  /** A status or telemetry message (telemetry implies online). */
  seen(stationId: string, nowMs: number, update: { state?: 'online' | 'offline'; position?: unknown }): void {
    const prev = this.stations.get(stationId);
    this.stations.set(stationId, {
      stationId,
      position: positionOf(update.position) ?? prev?.position ?? null,
      online: update.state ? update.state === 'online' : (prev?.online ?? true),
      lastSeenMs: Math.max(nowMs, prev?.lastSeenMs ?? 0),
    });
  }

  get(stationId: string): StationState | undefined {
    return this.stations.get(stationId);
  }

  all(): StationState[] {
    return [...this.stations.values()].sort((a, b) => a.stationId.localeCompare(b.stationId));
  }

  /** Stations with a known position within `rangeM` of `at` that are online and recently heard. */
  listeningWithin(at: GeoPosition, rangeM: number, nowMs: number): StationState[] {
    return this.all().filter((s) => s.online && nowMs - s.lastSeenMs <= this.staleAfterMs && s.position && distanceM(at, s.position) <= rangeM);
  }
}
