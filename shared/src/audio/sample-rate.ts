/**
 * The one sample rate EcoSight works at: capture, features, models, clips and
 * training data are all 16 kHz mono (YAMNet's input rate). Audio at another
 * rate is resampled to it at the border (decoding, dataset conversion).
 */
export const SAMPLE_RATE_HZ = 16_000;
