/**
 * The pipeline's pulse. The runner marks when it starts and finishes handling
 * each source event; the pipeline counts as wedged only when one event has been
 * in hand for too long. An idle pipeline (empty drop folder) is healthy. The
 * systemd watchdog is fed only while this holds.
 */
export class Heartbeat {
  lastBeatMs: number | null = null;
  lastAudioTimeMs: number | null = null;
  windows = 0;
  private busySinceMs: number | null = null;
  private firstAudioSeen = false;
  private readonly firstAudioWaiters: Array<() => void> = [];

  enter(nowMs: number): void {
    this.busySinceMs = nowMs;
  }

  leave(nowMs: number): void {
    this.busySinceMs = null;
    this.lastBeatMs = nowMs;
  }

  windowsDone(count: number): void {
    this.windows += count;
  }

  audio(audioTimeMs: number): void {
    this.lastAudioTimeMs = audioTimeMs;
    if (!this.firstAudioSeen) {
      this.firstAudioSeen = true;
      for (const w of this.firstAudioWaiters.splice(0)) w();
    }
  }

  get hasAudio(): boolean {
    return this.firstAudioSeen;
  }

  /** Resolves when the first audio arrives (READY=1 waits for this). */
  firstAudio(): Promise<void> {
    if (this.firstAudioSeen) return Promise.resolve();
    return new Promise((resolve) => this.firstAudioWaiters.push(resolve));
  }

  /** False when the pipeline has been stuck on one piece of work for longer than `staleAfterMs`. */
  isFresh(nowMs: number, staleAfterMs: number): boolean {
    return this.busySinceMs === null || nowMs - this.busySinceMs <= staleAfterMs;
  }
}
