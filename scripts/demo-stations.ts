import { join } from 'node:path';
import { StationConfigSchema } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { createLogger } from '#shared/util/logger.js';
import { composeStation } from '../station/src/main.js';
import type { StationLifecycle } from '../station/src/system/lifecycle.js';
import { systemClock } from '../station/src/core/clock.js';
import type { DemoStation } from './demo-field.js';

export interface DemoStationSettings {
  root: string;
  brokerUrl: string;
  cloudUrl: string;
  token: string;
  publicKey: string;
  logLevel: string;
}

/** Where a demo station's recorder drops its files. */
export const recorderFolder = (root: string, stationId: string) => join(root, stationId, 'recorder');

/**
 * One demo station: reads its recorder's folder (file names carry the time,
 * the recorder's clock is within 1 ms), knows its position, uploads through
 * presigned URLs, pulls models from the cloud. Gunshots come from the window
 * model's gunshot class: the two-stage detector (impulse trigger -> onset
 * classifier) misses the field simulator's modelled shots even at 100-250 m.
 */
export async function startDemoStation(station: DemoStation, s: DemoStationSettings): Promise<StationLifecycle> {
  const dataDir = join(s.root, station.id);
  const config = validateConfig(StationConfigSchema, {
    stationId: station.id, dataDir, logLevel: s.logLevel,
    source: { type: 'folder', path: recorderFolder(s.root, station.id), stableSec: 0, afterProcessing: 'delete' },
    mqtt: { url: s.brokerUrl, telemetryIntervalSec: 10, alertCooldownSec: 3 },
    upload: { presignUrl: s.cloudUrl, token: s.token, retryMinSec: 1, retryMaxSec: 30 },
    ota: { url: s.cloudUrl, publicKey: s.publicKey, pollIntervalSec: 60 },
    clips: { quotaMb: 100 },
    location: { ...station.position, recorderClockErrorMs: 1 },
    detection: { gunshotDetector: 'window' },
  }, `demo station ${station.id}`);
  return composeStation(config, {
    exitWhenIdle: false, idleTimeoutMs: 0, env: process.env, clock: systemClock,
    logger: createLogger({ name: station.id, level: s.logLevel }),
  });
}
