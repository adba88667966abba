import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { StationConfigSchema, type StationConfig } from '#shared/config/station-config.js';
import { validateConfig } from '#shared/config/validate.js';
import { initBackend, type BackendPreference } from '#shared/model/backend.js';
import { loadModelPackage, shippedModelDir } from '#shared/model/model-package.js';
import { buildStages } from '#shared/pipeline/stages.js';
import { createLogger, type Logger } from '#shared/util/logger.js';
import { FileSource } from '../capture/file-source.js';
import { systemClock } from '../core/clock.js';
import { stationStageOptions } from '../pipeline/decisions.js';
import { OfflineSink, type OfflineDetection } from '../pipeline/offline-sink.js';
import { PipelineRunner } from '../pipeline/runner.js';
import { onsetDirFor, withGunshotPath } from '../pipeline/gunshot-path.js';
import { loadOnsetModel } from '#shared/detect/onset-model.js';
import { formatJsonLine, formatRavenRow, formatTable, RAVEN_HEADER, type OutputFormat } from './classify-formats.js';
import { UsageError } from './usage-error.js';

/** `ecosight-station classify FILE... [--format table|json|raven] [--model DIR] [--hop SECONDS]`: exit 1 if a file could not be read. */
export async function classifyCommand(args: string[], help: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      model: { type: 'string' },
      hop: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const format = values.format as OutputFormat;
  if (!['table', 'json', 'raven'].includes(format)) throw new UsageError(`--format must be table, json or raven (got ${values.format})`);
  if (positionals.length === 0) throw new UsageError('classify needs at least one WAV file');
  const hopSec = values.hop === undefined ? undefined : Number(values.hop);
  if (hopSec !== undefined && !(hopSec > 0 && hopSec <= 0.96)) throw new UsageError('--hop must be a number of seconds in (0, 0.96]');
  const logger = createLogger({ name: 'ecosight-classify', level: process.env.ECOSIGHT_LOG_LEVEL ?? 'warn' });
  const tty = process.stderr.isTTY === true;
  const result = await classifyFiles({
    files: positionals,
    format,
    modelDir: values.model,
    hopSec,
    write: (line) => process.stdout.write(`${line}\n`),
    progress: tty ? (text) => process.stderr.write(`\r\x1b[K${text}`) : undefined,
    logger,
  });
  return result.failedFiles > 0 ? 1 : 0;
}

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
 * The composition root of `classify`: the station's pipeline run offline over
 * WAV files, as fast as possible. Returns the number of files that could not be read.
 */
export async function classifyFiles(options: ClassifyOptions): Promise<{ detections: OfflineDetection[]; failedFiles: number }> {
  await initBackend(options.logger, options.backend ?? 'auto');
  const model = await loadModelPackage(options.modelDir ?? shippedModelDir());
  const detection: StationConfig['detection'] = validateConfig(StationConfigSchema, {}, 'defaults').detection;
  if (options.hopSec) detection.hopSec = options.hopSec;
  const { melMinHz, melMaxHz } = model.metadata.frontEnd;
  // Gunshots from the two-stage detector when an onset model goes with this window model.
  const onsetDir = onsetDirFor(model.dir);
  const onset = onsetDir ? await loadOnsetModel(onsetDir) : undefined;
  const all: OfflineDetection[] = [];
  let failedFiles = 0;
  if (options.format === 'raven') options.write(RAVEN_HEADER);
  for (const [index, file] of options.files.entries()) {
    const stages = buildStages(model, stationStageOptions(model, detection, 32));
    const source = new FileSource({ path: file, realtime: false, loop: false, chunkSec: 10 }, systemClock);
    const sink = new OfflineSink(file, (seconds) => options.progress?.(`[${index + 1}/${options.files.length}] ${basename(file)}: ${seconds.toFixed(0)} s`));
    await new PipelineRunner(source, stages, await withGunshotPath(sink, () => model.classNames, options.logger, onset)).run(new AbortController().signal);
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
