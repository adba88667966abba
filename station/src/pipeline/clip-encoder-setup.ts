import type { StationConfig } from '#shared/config/station-config.js';
import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import { clipEncoderFor, probeEncoder, WavEncoder, type ClipEncoder } from './clip-encoder.js';

/**
 * The configured clip encoder, checked once: a station whose `flac`/`opusenc` is
 * missing (installer not re-run) logs one clear line and keeps WAV clips for this
 * run instead of losing every clip to a failing encoder.
 */
export async function chooseClipEncoder(clips: StationConfig['clips'], logger: Logger): Promise<ClipEncoder> {
  const encoder = clipEncoderFor({ codec: clips.codec, opusBitrateKbps: clips.opusBitrateKbps, flacLevel: clips.flacLevel, timeoutMs: clips.encoderTimeoutSec * 1000 });
  if (encoder.codec === 'wav') return encoder;
  try {
    await probeEncoder(encoder);
    return encoder;
  } catch (err) {
    logger.error({ codec: clips.codec, err: describeError(err) }, `clip encoder unusable: clips are written as WAV this run (install it: apt-get install ${clips.codec === 'flac' ? 'flac' : 'opus-tools'})`);
    return new WavEncoder();
  }
}
