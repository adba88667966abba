/** Public entry of data augmentation (see README.md in this folder). */
export {
  augmentOriginal, DEFAULT_AUGMENT_OPTIONS, VARIANT_KINDS,
  type AugmentContext, type AugmentedClip, type AugmentOptions, type BackgroundClip, type OriginalClip, type VariantKind,
} from './augment-original.js';
export { mixPatches, mixTargets, type MixedPatch } from './mix-patches.js';
export { LOG_MEL_FLOOR, specAugment, type MaskRegion, type SpecAugmentOptions, type SpecAugmentResult } from './spec-augment.js';
export { circularShift, drawGainDb, peakAbs, pinkNoise, speedChange } from './waveform.js';
