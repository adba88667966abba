/**
 * Training and evaluation of the EcoSight classifier: the API the training
 * script (`npm run train`), the evaluation script (`npm run eval`) and the
 * cloud retrain job use. See README.md in this folder.
 */
export type { ClipStream, LabelledClip, TrainOptions, TrainProgress, TrainResult, EpochRecord } from './types.js';
export { trainModel, checkSplit, compactReport } from './train-model.js';
export { trainFull, trainHead } from './train-modes.js';
export {
  evaluateModel, evaluateRecordings, scoreClips, segmentTruth, windowTiming,
  type EvaluableModel, type EvaluateOptions, type LabelledRecording,
} from './evaluate.js';
export { chooseThresholds, type ThresholdChoice, type ThresholdOptions } from './thresholds.js';
export { formatReport } from './report-format.js';
export type { EvaluationReport, ClassMetrics, ConfusionMatrix, LongAudioMetrics, WindowTruth } from './metrics.js';
export { NONE_LABEL } from './metrics.js';
export { detectEvents, matchEvents, type TimedEvent, type WindowTiming } from './events.js';
export { alarmFreeStream, eventStream, type LongRecording } from './long-audio.js';
export { buildModel, embeddingModel, EMBEDDING_LAYER, HEAD_LAYER, type InputNormalisation } from './architecture.js';
export { initTrainingBackend } from './training-backend.js';
export { ensureTrainableConv2d } from '#shared/model/backend.js';
export { createProgressPrinter } from './progress-bar.js';
export { scoreSignal, predictPatches, type SignalScores } from './score-signal.js';
export { TrainError, TrainAbortedError } from './train-errors.js';
export { toyDataset } from './toy-data.js';
