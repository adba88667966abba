import { Type } from '@sinclair/typebox';
import { Seconds } from './seconds.js';

/** The station's `clips` block: how clips are cut, stored and encoded. */
export const ClipsConfigSchema = Type.Object({
  preRollSec: Seconds(1, 0),
  postRollSec: Seconds(1, 0),
  /** Clip folder quota; oldest uploaded clips go first when it is exceeded. 0 = unlimited. */
  quotaMb: Type.Number({ minimum: 0, default: 0 }),
  /**
   * How clips are stored and uploaded: `flac` (lossless, about half of WAV; needs the
   * `flac` program), `opus` (lossy, `opusBitrateKbps`; needs `opusenc`) or `wav`.
   * See docs/benchmarks.md for sizes, cost and what each does to the model's scores.
   */
  codec: Type.Union([Type.Literal('flac'), Type.Literal('opus'), Type.Literal('wav')], { default: 'flac' }),
  /** opus: target bitrate in kbit/s (6-128). */
  opusBitrateKbps: Type.Integer({ minimum: 6, maximum: 128, default: 32 }),
  /** flac: compression level, 0 (fastest) to 8 (smallest). */
  flacLevel: Type.Integer({ minimum: 0, maximum: 8, default: 5 }),
  /** An encoder still running after this long is killed; the clip write then fails and is retried. */
  encoderTimeoutSec: Seconds(30, 1),
}, { additionalProperties: false, default: {} });
