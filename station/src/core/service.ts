/** A part with its own background work (telemetry, OTA polling...), started and stopped by the lifecycle. */
export interface Service {
  readonly name: string;
  start(signal: AbortSignal): void | Promise<void>;
  stop(): void | Promise<void>;
}
