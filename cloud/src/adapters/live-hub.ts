/**
 * In-process fan-out of things the dashboard shows live (GET /api/live).
 * Listeners are called synchronously; a throwing listener is dropped, never the publisher.
 * With several API instances a relay (live-relay.ts) carries what this instance
 * publishes to the others, and `deliver` hands theirs to this instance's listeners.
 */
export type LiveEventName = 'detection' | 'alert' | 'logging' | 'station' | 'job' | 'model' | 'incident';

export const LIVE_EVENT_NAMES: readonly LiveEventName[] = ['detection', 'alert', 'logging', 'station', 'job', 'model', 'incident'];

export interface LiveEvent {
  event: LiveEventName;
  data: unknown;
  /** True when another instance published it (relayed through the broker). */
  remote?: boolean;
}

export type LiveListener = (e: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<LiveListener>();
  private relay: LiveListener | undefined;

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Something happened here: tell this instance's listeners and the relay. */
  publish(event: LiveEventName, data: unknown): void {
    this.deliver({ event, data });
    try {
      this.relay?.({ event, data });
    } catch {
      // The relay reports its own failures; a publisher never fails for it.
    }
  }

  /** Something happened on another instance: this instance's listeners only. */
  deliver(e: LiveEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  /** Where published events go besides the local listeners (one relay; undefined removes it). */
  setRelay(relay: LiveListener | undefined): void {
    this.relay = relay;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
