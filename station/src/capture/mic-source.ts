import { int16ToFloat } from '#shared/audio/pcm.js';
import type { Logger } from '#shared/util/logger.js';
import type { Clock } from '../core/clock.js';
import { AudioSanity } from './audio-sanity.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import type { AudioSource, SourceEvent, SourceStats } from './audio-source.js';
import { BoundedQueue } from './bounded-queue.js';
import type { RecorderHandle, RecorderHandlers, RecorderName } from './recorder-process.js';

export interface MicSourceOptions {
  recorder: RecorderName;
  device: string;
  /** No bytes for this long means the recorder hung: kill and restart it. */
  stallTimeoutSec: number;
  restartMinSec: number;
  restartMaxSec: number;
  /** Audio held while the pipeline is busy; beyond it the oldest chunks are dropped (and counted). */
  maxQueuedSec: number;
}

export type StartRecorder = (recorder: RecorderName, device: string, sampleRateHz: number, handlers: RecorderHandlers) => RecorderHandle;

/**
 * Live capture with a supervised recorder process. Each recorder lifetime is
 * one segment; when it exits, hangs or cannot start, it is restarted with
 * exponential backoff and the silence in between is reported as a gap.
 */
export class MicSource implements AudioSource {
  readonly kind = 'mic' as const;
  private restarts = 0;
  private gaps = 0;
  private lastAudioTimeMs: number | null = null;
  private queue: BoundedQueue<SourceEvent> | undefined;

  constructor(
    private readonly options: MicSourceOptions,
    private readonly startRecorder: StartRecorder,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  stats(): SourceStats {
    return { droppedChunks: this.queue?.dropped ?? 0, restarts: this.restarts, gaps: this.gaps, lastAudioTimeMs: this.lastAudioTimeMs };
  }

  async *events(signal: AbortSignal): AsyncGenerator<SourceEvent> {
    // ~10 chunks per second from arecord; capacity is in chunks.
    const queue = new BoundedQueue<SourceEvent>(Math.max(10, Math.round(this.options.maxQueuedSec * 10)), (e) => e.type === 'audio');
    this.queue = queue;
    const supervisor = this.supervise(queue, signal);
    try {
      for (;;) {
        const event = await queue.pull(signal);
        if (event === undefined) break;
        yield event;
      }
      // Deliver what arrived before the stop (the segment's end in particular).
      for (let event = await queue.pull(); event !== undefined; event = await queue.pull()) yield event;
    } finally {
      await supervisor;
    }
  }

  /** Runs recorder after recorder until `signal` aborts, feeding `queue`. */
  private async supervise(queue: BoundedQueue<SourceEvent>, signal: AbortSignal): Promise<void> {
    let backoffSec = this.options.restartMinSec;
    let previousEndMs: number | null = null;
    let previousReason = 'start';
    const device = this.options.device || 'default';
    while (!signal.aborted) {
      const startedAt = this.clock.now();
      const gapFrom = previousEndMs;
      const gapReason = previousReason;
      const run = await this.runOnce(queue, signal, device, (firstAudioMs) => {
        if (gapFrom === null) return;
        this.gaps++;
        queue.push({ type: 'gap', gap: { source: `mic:${device}`, startTimeMs: gapFrom, endTimeMs: firstAudioMs, reason: gapReason } });
      });
      if (run.lastAudioMs !== null) previousEndMs = run.lastAudioMs;
      else if (previousEndMs === null) previousEndMs = startedAt;
      previousReason = run.reason;
      if (signal.aborted) break;
      this.restarts++;
      const ranLongEnough = this.clock.now() - startedAt > 60_000;
      backoffSec = ranLongEnough ? this.options.restartMinSec : backoffSec;
      this.logger.warn({ reason: run.reason, restartInSec: backoffSec, restarts: this.restarts }, 'recorder stopped; restarting');
      await this.clock.sleepUntil(this.clock.now() + backoffSec * 1000, signal);
      backoffSec = Math.min(this.options.restartMaxSec, Math.max(backoffSec * 2, 0.1));
    }
    queue.close();
  }

  /** One recorder lifetime; `onFirstAudio` runs just before its segment starts (to report the gap before it). */
  private runOnce(queue: BoundedQueue<SourceEvent>, signal: AbortSignal, device: string, onFirstAudio: (firstAudioMs: number) => void): Promise<{ reason: string; firstAudioMs: number | null; lastAudioMs: number | null }> {
    return new Promise((resolve) => {
      let firstAudioMs: number | null = null;
      let samplesDelivered = 0;
      let carry: Buffer | null = null;
      let lastDataAt = this.clock.now();
      let reason: string | undefined;
      const sanity = new AudioSanity({ sampleRateHz: SAMPLE_RATE_HZ });
      const stallMs = this.options.stallTimeoutSec * 1000;
      // Wall time of the first sample: when the first chunk arrived, minus its length.
      let firstDataMs: number | null = null;
      let garbage = false;
      const segmentStart = (): void => {
        firstAudioMs = firstDataMs ?? this.clock.now();
        onFirstAudio(firstAudioMs);
        queue.push({
          type: 'segment-start',
          segment: {
            id: `mic:${device}:${Math.round(firstAudioMs)}`,
            kind: 'mic',
            source: `mic:${device}`,
            startTimeMs: firstAudioMs,
            sampleRateHz: SAMPLE_RATE_HZ,
          },
        });
      };
      const held: Float32Array[] = [];
      const deliverHeld = (): void => {
        for (const samples of held.splice(0)) {
          if (firstAudioMs === null) segmentStart();
          queue.push({ type: 'audio', startSample: samplesDelivered, samples });
          samplesDelivered += samples.length;
          this.lastAudioTimeMs = end();
        }
      };
      const end = (): number | null => (firstAudioMs === null ? null : firstAudioMs + (samplesDelivered * 1000) / SAMPLE_RATE_HZ);
      const handle = this.startRecorder(this.options.recorder, this.options.device, SAMPLE_RATE_HZ, {
        onData: (bytes) => {
          lastDataAt = this.clock.now();
          const whole: Buffer = carry ? Buffer.concat([carry, bytes]) : bytes;
          const usable = whole.length - (whole.length % 2);
          carry = usable < whole.length ? whole.subarray(usable) : null;
          if (usable === 0) return;
          const samples = int16ToFloat(whole.subarray(0, usable));
          firstDataMs ??= this.clock.now() - (samples.length * 1000) / SAMPLE_RATE_HZ;
          const verdict = reason === undefined ? sanity.check(samples) : undefined;
          if (verdict) {
            reason = verdict;
            garbage = true;
            held.length = 0;
            handle.kill();
          }
          if (reason !== undefined) return;
          // The first second is held back until it has been judged to be audio, so a
          // recorder writing text never feeds the classifier.
          held.push(samples);
          if (sanity.blocksPassed > 0) deliverHeld();
        },
        onExit: (exitReason) => {
          // Audio that never got a verdict (a recorder dying or hanging within a second) is still audio.
          if (!garbage) deliverHeld();
          clearInterval(watchdog);
          signal.removeEventListener('abort', onAbort);
          const why = reason ?? exitReason;
          if (firstAudioMs !== null) queue.push({ type: 'segment-end', reason: why === 'stopped' ? 'stopped' : 'recorder-exit', error: why === 'stopped' ? undefined : why });
          resolve({ reason: why, firstAudioMs, lastAudioMs: end() });
        },
      });
      // Created after the recorder starts: the callbacks above only run later.
      const watchdog = setInterval(() => {
        if (this.clock.now() - lastDataAt > stallMs) {
          reason = `recorder sent no audio for ${this.options.stallTimeoutSec} s (hung)`;
          handle.kill();
        }
      }, Math.min(1000, Math.max(50, stallMs / 4)));
      const onAbort = (): void => {
        reason = 'stopped';
        handle.kill();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
  }
}
