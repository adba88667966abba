import type { AudioSource, SourceEvent } from '../capture/audio-source.js';
import type { SegmentInfo } from '../core/segment.js';
import type { ModelPackage } from '#shared/model/model-package.js';
import type { ClassDecision } from '#shared/pipeline/event-detector.js';
import type { PipelineStages } from '#shared/pipeline/stages.js';
import type { PipelineSink } from './sink.js';
import type { AnalysisWindow } from '#shared/pipeline/types.js';

/** Told when the runner picks up and finishes each piece of work, and what flowed (watchdog, READY, telemetry). */
export interface RunnerPulse {
  enter(nowMs: number): void;
  leave(nowMs: number): void;
  /** Wall-clock time of the newest sample received. */
  audio(audioTimeMs: number): void;
  windowsDone(count: number): void;
}

const NO_PULSE: RunnerPulse = { enter: () => undefined, leave: () => undefined, audio: () => undefined, windowsDone: () => undefined };

/** A model to switch to, with the decision rules that go with its classes. */
export interface ModelSwitch {
  model: ModelPackage;
  decisions: ClassDecision[];
}

/**
 * Called when the classifier throws (a broken model at run time). Returns the
 * model to fall back to, or undefined to let the error stop the pipeline.
 */
export type ClassifierFailureHandler = (error: unknown, failed: ModelPackage) => Promise<ModelSwitch | undefined>;

export interface PipelineCounters {
  windows: number;
  segments: number;
  audioSamples: number;
  /** Chunks that arrived out of sequence (dropped upstream). */
  discontinuities: number;
}

/**
 * Drives one source through the stages into a sink: capture -> windower ->
 * featurizer -> classifier -> event detector -> sink. The stages are plain
 * synchronous objects; the runner owns the order and the segment boundaries.
 */
export class PipelineRunner {
  readonly counters: PipelineCounters = { windows: 0, segments: 0, audioSamples: 0, discontinuities: 0 };
  private segment: SegmentInfo | undefined;
  private expectedSample = 0;
  private pendingSwitch: ModelSwitch | undefined;
  /** True while a source event is being handled. */
  private busy = false;
  private onClassifierFailure: ClassifierFailureHandler | undefined;

  constructor(
    private readonly source: AudioSource,
    private readonly stages: PipelineStages,
    private readonly sink: PipelineSink,
    private readonly pulse: RunnerPulse = NO_PULSE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs until the source ends or `signal` aborts; open events are ended either way. */
  async run(signal: AbortSignal): Promise<void> {
    for await (const event of this.source.events(signal)) {
      this.pulse.enter(this.now());
      this.busy = true;
      try {
        await this.handle(event);
      } finally {
        this.busy = false;
        this.pulse.leave(this.now());
      }
    }
    if (this.segment) await this.endSegment('stopped');
  }

  private async handle(event: SourceEvent): Promise<void> {
    switch (event.type) {
      case 'segment-start':
        await this.startSegment(event.segment);
        break;
      case 'audio':
        await this.audio(event.startSample, event.samples);
        break;
      case 'segment-end':
        await this.endSegment(event.reason, event.error);
        break;
      case 'gap':
        await this.sink.gap(event.gap);
        break;
      case 'rejected':
        await this.sink.rejected(event.path, event.error);
        break;
    }
  }

  get modelVersion(): string {
    return this.stages.classifier.model.metadata.version;
  }

  /**
   * Switches models before the next batch of windows, so no audio is skipped.
   * Between segments (an idle drop folder) there is nothing to hand over: switch now.
   */
  requestModelSwitch(next: ModelSwitch): void {
    if (!this.segment && !this.busy) {
      this.stages.classifier.swap(next.model);
      this.stages.detector.reconfigure(next.model.classNames, next.decisions);
      return;
    }
    this.pendingSwitch = next;
  }

  setClassifierFailureHandler(handler: ClassifierFailureHandler): void {
    this.onClassifierFailure = handler;
  }

  private async applySwitch(segment: SegmentInfo | undefined, next: ModelSwitch): Promise<ModelPackage> {
    const previous = this.stages.classifier.swap(next.model);
    const ended = this.stages.detector.reconfigure(next.model.classNames, next.decisions);
    if (segment) for (const message of ended) await this.sink.detection(segment, message);
    return previous;
  }

  private async startSegment(segment: SegmentInfo): Promise<void> {
    if (this.segment) await this.endSegment('stopped');
    this.segment = segment;
    this.expectedSample = 0;
    this.counters.segments++;
    this.stages.windower.reset();
    this.stages.featurizer.reset();
    this.stages.detector.reset(segment.id);
    await this.sink.segmentStart(segment);
  }

  private async audio(startSample: number, samples: Float32Array): Promise<void> {
    const segment = this.segment;
    if (!segment) return;
    if (startSample !== this.expectedSample) this.counters.discontinuities++;
    this.expectedSample = startSample + samples.length;
    this.counters.audioSamples += samples.length;
    this.pulse.audio(segment.startTimeMs + ((startSample + samples.length) * 1000) / segment.sampleRateHz);
    await this.sink.audio(segment, startSample, samples);
    await this.process(segment, this.stages.windower.push(startSample, samples));
  }

  private async endSegment(reason: string, error?: string): Promise<void> {
    const segment = this.segment;
    if (!segment) return;
    await this.process(segment, this.stages.windower.flush());
    for (const message of this.stages.detector.end()) await this.sink.detection(segment, message);
    this.segment = undefined;
    await this.sink.segmentEnd(segment, reason, error);
  }

  private async process(segment: SegmentInfo, windows: AnalysisWindow[]): Promise<void> {
    if (this.pendingSwitch) {
      const next = this.pendingSwitch;
      this.pendingSwitch = undefined;
      await this.applySwitch(segment, next);
    }
    if (windows.length === 0) return;
    const features = this.stages.featurizer.featurize(windows);
    let scored;
    try {
      scored = this.stages.classifier.classify(features);
    } catch (err) {
      const fallback = await this.onClassifierFailure?.(err, this.stages.classifier.model);
      if (!fallback) throw err;
      await this.applySwitch(segment, fallback);
      // The same windows again, on the model we fell back to: no audio is lost.
      scored = this.stages.classifier.classify(features);
    }
    this.counters.windows += scored.length;
    this.pulse.windowsDone(scored.length);
    await this.sink.windows(segment, scored);
    for (const s of scored) {
      for (const message of this.stages.detector.push(s)) await this.sink.detection(segment, message);
    }
  }
}
