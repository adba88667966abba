/**
 * In-process fan-out of things the dashboard shows live (GET /api/live).
 * Listeners are called synchronously; a throwing listener is dropped, never the publisher.
 */
export type LiveEventName = 'detection' | 'alert' | 'logging' | 'station' | 'job' | 'model' | 'incident';

export interface LiveEvent {
  event: LiveEventName;
  data: unknown;
}

export type LiveListener = (e: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<LiveListener>();

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: LiveEventName, data: unknown): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ event, data });
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
