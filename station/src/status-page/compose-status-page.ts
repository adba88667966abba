import { join } from 'node:path';
import type { StationConfig } from '#shared/config/station-config.js';
import type { TelemetryPayload } from '#shared/mqtt/payloads.js';
import type { Logger } from '#shared/util/logger.js';
import type { PipelineSink } from '../pipeline/sink.js';
import type { Clock } from '../core/clock.js';
import { defaultDoctorDeps, runDoctor } from '../system/doctor.js';
import type { DoctorCheckName } from '../system/doctor-types.js';
import { AudioTap } from './audio-tap.js';
import { StatusQueries } from './status-queries.js';
import { StatusServer } from './status-server.js';
import { StatusSnapshots } from './status-snapshot.js';
import { TappedSink } from './tapped-sink.js';

/** The running station's parts the page reads. */
export interface StatusPageInputs {
  config: StationConfig;
  dataDir: string;
  sampleRateHz: number;
  softwareVersion: string;
  clipCodec: string;
  telemetry: () => Promise<TelemetryPayload>;
  mqttState: () => 'connected' | 'disconnected' | 'off';
  uploadTarget: string | undefined;
  modelVersion: () => string;
  pendingModelUpdate: () => string | null;
  clock: Clock;
  logger: Logger;
}

/**
 * The doctor's checks that make sense while the daemon runs: the microphone is held by
 * the capture process and the model is the running one, so those two are left out.
 */
const LIVE_CHECKS: readonly DoctorCheckName[] = ['config', 'disk', 'clock', 'clips', 'broker', 'bucket', 'cloud'];

export interface StatusPage {
  sink: PipelineSink;
  server: StatusServer;
}

/** Wraps the pipeline's sink with the audio tap and builds the page's server (not started). */
export function composeStatusPage(inner: PipelineSink, i: StatusPageInputs): StatusPage {
  const sp = i.config.statusPage;
  const tap = new AudioTap(i.sampleRateHz, sp.spectrogramMinutes * 60);
  const queries = new StatusQueries(join(i.dataDir, 'station.db'));
  const now = (): number => i.clock.now();
  const doctor = () => runDoctor(i.config, { ...defaultDoctorDeps(i.logger), clock: i.clock, checkTimeoutMs: 5000 }, LIVE_CHECKS);
  const snapshots = new StatusSnapshots({
    stationId: i.config.stationId, softwareVersion: i.softwareVersion, clipCodec: i.clipCodec, tap, queries, telemetry: i.telemetry,
    mqttState: i.mqttState, uploadTarget: i.uploadTarget, modelVersion: i.modelVersion, pendingModelUpdate: i.pendingModelUpdate, doctor, now,
  });
  const server = new StatusServer(
    { host: sp.host, port: sp.port, passwordHash: sp.passwordHash, sessionHours: sp.sessionHours },
    { snapshots, tap, queries, doctor, now }, i.logger,
  );
  return { sink: new TappedSink(inner, tap), server };
}
