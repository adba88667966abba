import type { SegmentInfo } from '../core/segment.js';
import type { AlertLocationFields, ClockState, StationLocationFields, StationPosition } from '#shared/mqtt/location.js';
import { inBackground } from '#shared/util/background.js';
import type { Logger } from '#shared/util/logger.js';
import { UNKNOWN_CLOCK, readSystemClock, type CommandRunner, type SystemClockState } from './clock-state.js';
import type { GpsdClient } from './gpsd-client.js';
import { SampleClock } from './sample-clock.js';

export interface LocationSettings {
  /** From config; undefined when not set. */
  configPosition: StationPosition | undefined;
  recorderClockErrorMs: number | undefined;
  airTemperatureC: number | undefined;
  clockCheckIntervalMs: number;
}

/**
 * What the station tells the cloud so it can locate shots: where the station
 * is (config or gpsd), how far its time stamps can be trusted (system clock
 * via chrony/timedatectl; for recorder files the configured recorder clock),
 * and each shot's onset in UTC through the segment's clock model (a live
 * mic's drift against the system clock is learned as audio arrives).
 */
export class LocationReporter {
  readonly name = 'location';
  private system: SystemClockState = UNKNOWN_CLOCK;
  private timer: NodeJS.Timeout | undefined;
  private readonly sampleClocks = new Map<string, SampleClock>();

  constructor(
    private readonly settings: LocationSettings,
    private readonly gpsd: GpsdClient | undefined,
    private readonly run: CommandRunner | undefined,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.gpsd?.start();
    await this.refreshClock();
    this.timer = setInterval(() => inBackground(this.refreshClock(), this.logger, 'reading the clock state'), this.settings.clockCheckIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.gpsd?.stop();
  }

  position(): StationPosition | undefined {
    return this.gpsd?.position() ?? this.settings.configPosition;
  }

  /** A live segment's audio arrived: feed its clock model. */
  audio(segment: SegmentInfo, startSample: number, sampleCount: number): void {
    if (segment.kind !== 'mic') return;
    let clock = this.sampleClocks.get(segment.id);
    if (!clock) {
      this.sampleClocks.clear(); // one live segment at a time
      clock = new SampleClock(segment.startTimeMs, segment.sampleRateHz);
      this.sampleClocks.set(segment.id, clock);
    }
    clock.observe({ endSample: startSample + sampleCount, arrivalMs: this.now() });
  }

  /** UTC of a segment's sample, epoch ms with fraction. */
  timeOf(segment: SegmentInfo, sample: number): number {
    const clock = this.sampleClocks.get(segment.id);
    return clock ? clock.timeOf(sample) : segment.startTimeMs + (sample * 1000) / segment.sampleRateHz;
  }

  /** The clock state that applies to a segment's time stamps. */
  clockFor(segment: SegmentInfo | undefined): ClockState {
    if (segment && segment.kind === 'folder') {
      const known = this.settings.recorderClockErrorMs;
      return {
        // The recorder set its own clock (GPS, or by hand): only the operator knows how well.
        synchronized: known === undefined ? null : true, source: 'unknown',
        estimatedErrorMs: known ?? null, systemDriftPpm: null, audioDriftPpm: null, timeBase: 'file-name',
      };
    }
    const drift = segment ? (this.sampleClocks.get(segment.id)?.driftPpm() ?? null) : null;
    return { ...this.system, audioDriftPpm: drift, timeBase: segment?.kind === 'file' ? 'replay' : 'capture' };
  }

  /** Fields added to an alert: onsets (sample indices within the segment) as UTC, position, clock. */
  alertFields(segment: SegmentInfo, onsetSamples: readonly number[]): AlertLocationFields {
    return {
      shotOnsetsMs: onsetSamples.map((s) => Math.round(this.timeOf(segment, s) * 1000) / 1000),
      position: this.position(),
      clock: this.clockFor(segment),
      airTemperatureC: this.settings.airTemperatureC,
    };
  }

  /** Fields added to status and telemetry. */
  stationFields(): StationLocationFields {
    return { position: this.position(), clock: this.clockFor(undefined), airTemperatureC: this.settings.airTemperatureC };
  }

  private async refreshClock(): Promise<void> {
    this.system = await readSystemClock(this.run);
  }
}
