/** Latencies and outcomes per request kind, for the fleet report. */
export interface KindFigures {
  count: number;
  errors: number;
  /** Answers 429 (rate limited): not errors of the service, but the fleet waited. */
  limited: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyRecorder {
  private readonly samples = new Map<string, number[]>();
  private readonly errors = new Map<string, number>();
  private readonly limited = new Map<string, number>();
  /** One line per distinct error (status or message), with its count. */
  readonly errorKinds = new Map<string, number>();

  record(kind: string, ms: number, outcome: 'ok' | 'limited' | string): void {
    const list = this.samples.get(kind) ?? [];
    list.push(ms);
    this.samples.set(kind, list);
    if (outcome === 'limited') this.limited.set(kind, (this.limited.get(kind) ?? 0) + 1);
    else if (outcome !== 'ok') {
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
      const key = `${kind}: ${outcome}`;
      this.errorKinds.set(key, (this.errorKinds.get(key) ?? 0) + 1);
    }
  }

  figures(): Record<string, KindFigures> {
    const out: Record<string, KindFigures> = {};
    for (const [kind, list] of this.samples) {
      const sorted = [...list].sort((a, b) => a - b);
      out[kind] = {
        count: list.length, errors: this.errors.get(kind) ?? 0, limited: this.limited.get(kind) ?? 0,
        p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: sorted.at(-1) ?? 0,
      };
    }
    return out;
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
}
