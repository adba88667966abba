import { basename } from 'node:path';
import { StationConfigSchema, type StationConfig } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { initBackend, type BackendPreference } from '#shared/model/backend.js';
import { loadModelPackage, shippedModelDir } from '#shared/model/model-package.js';
import type { Logger } from '#shared/util/logger.js';
import { FileSource } from './capture/file-source.js';
import type { SegmentInfo } from './core/segment.js';
import { buildStages } from './composition.js';
import { formatJsonLine, formatRavenRow, formatTable, RAVEN_HEADER, type OfflineDetection, type OutputFormat } from './output/detection-formats.js';
import { PipelineRunner } from './pipeline/runner.js';
import type { PipelineSink } from './pipeline/sink.js';
import type { DetectionMessage, ScoredWindow } from '#shared/pipeline/types.js';
import { systemClock } from './core/clock.js';

export interface ClassifyOptions {
  files: string[];
  format: OutputFormat;
  modelDir?: string;
  hopSec?: number;
  backend?: BackendPreference;
  /** Writes output lines (stdout). */
  write: (line: string) => void;
  /** Progress display (stderr on a TTY); undefined for none. */
  progress?: (text: string) => void;
  logger: Logger;
}

/**
 * `ecosight-station classify`: the station's pipeline run offline over WAV
 * files, as fast as possible. Returns the number of files that could not be read.
 */
export async function classifyFiles(options: ClassifyOptions): Promise<{ detections: OfflineDetection[]; failedFiles: number }> {
  await initBackend(options.logger, options.backend ?? 'auto');
  const model = await loadModelPackage(options.modelDir ?? shippedModelDir());
  const detection: StationConfig['detection'] = validateConfig(StationConfigSchema, {}, 'defaults').detection;
  if (options.hopSec) detection.hopSec = options.hopSec;
  const { melMinHz, melMaxHz } = model.metadata.frontEnd;
  const all: OfflineDetection[] = [];
  let failedFiles = 0;
  if (options.format === 'raven') options.write(RAVEN_HEADER);
  for (const [index, file] of options.files.entries()) {
    const stages = buildStages(model, detection, 32);
    const source = new FileSource({ path: file, realtime: false, loop: false, chunkSec: 10 }, systemClock);
    const sink = new CollectingSink(file, (seconds) => options.progress?.(`[${index + 1}/${options.files.length}] ${basename(file)}: ${seconds.toFixed(0)} s`));
    await new PipelineRunner(source, stages, sink).run(new AbortController().signal);
    if (sink.error) {
      failedFiles++;
      options.logger.error({ file, error: sink.error }, 'cannot classify file');
      continue;
    }
    const found = sink.detections.sort((a, b) => a.startSec - b.startSec || a.label.localeCompare(b.label));
    for (const d of found) {
      if (options.format === 'json') options.write(formatJsonLine(d));
      else if (options.format === 'raven') options.write(formatRavenRow(all.length + found.indexOf(d) + 1, d, melMinHz, melMaxHz));
    }
    all.push(...found);
  }
  if (options.format === 'table') options.write(all.length > 0 ? formatTable(all) : 'no detections');
  options.progress?.('');
  model.model.dispose();
  return { detections: all, failedFiles };
}

/** Collects ended events of one file. */
class CollectingSink implements PipelineSink {
  readonly detections: OfflineDetection[] = [];
  error: string | undefined;
  private samples = 0;

  constructor(private readonly file: string, private readonly onProgress: (seconds: number) => void) {}

  segmentStart(): void {}

  audio(segment: SegmentInfo, startSample: number, samples: Float32Array): void {
    this.samples = startSample + samples.length;
    this.onProgress(this.samples / segment.sampleRateHz);
  }

  windows(_segment: SegmentInfo, _scored: readonly ScoredWindow[]): void {}

  detection(segment: SegmentInfo, message: DetectionMessage): void {
    if (message.type !== 'end') return;
    const e = message.event;
    this.detections.push({
      file: this.file,
      label: e.label,
      startSec: e.startSample / segment.sampleRateHz,
      endSec: Math.min(e.endSample, this.samples) / segment.sampleRateHz,
      confidence: e.peakConfidence,
    });
  }

  segmentEnd(_segment: SegmentInfo, _reason: string, error?: string): void {
    if (error) this.error = error;
  }

  gap(): void {}

  rejected(_path: string, error: string): void {
    this.error = error;
  }
}
