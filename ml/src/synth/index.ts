/**
 * Public entry of the gunshot synthesizer and the signal tools that
 * augmentation shares with it. See README.md in this folder.
 */
export { STANDARD_ATMOSPHERE, airAbsorptionDbPerM, speedOfSoundMps, type Atmosphere } from './atmosphere.js';
export { crackGeometry, whithamNWave, type BulletShape, type BulletTrajectory, type CrackGeometry } from './bullet.js';
export { foliageAttenuationDb, foliageDbPer100m } from './foliage.js';
export { groundGain, reflectionDelaySec, type GroundParams } from './ground.js';
export {
  sourceStage96k, synthesizeGunshot,
  type BulletParams, type GunshotParams, type ShotParams, type SourceStage, type SynthesisOptions, type SynthesizedGunshot,
} from './gunshot.js';
export {
  backgroundExcerpt, eventSnrDb, meanSquare, mixAtSnr, peakWindowPower, type MixOptions, type MixResult,
} from './mix.js';
export {
  propagationGain, simulateDistance, type PropagationParams, type SimulateDistanceOptions,
} from './propagation.js';
export { randomGunshotParams, type FiringPattern, type GunshotOverrides } from './random-params.js';
export { addReverb, reverbTail, type AddReverbOptions, type ReverbParams } from './reverb.js';
export { SOURCE_RATE_HZ, friedlanderWave, nWave, type BulletCrack, type MuzzleBlast } from './source.js';
export { synthesizeChainsaw, type ChainsawParams, type SynthesizedChainsaw } from './chainsaw.js';
export { drawInSplit, randomChainsawParams, randomChainsawSource, type ChainsawOverrides, type ChainsawParamSplit } from './chainsaw-params.js';
export { chainsawSource, type ChainsawSource, type ChainsawSourceParams, type MufflerResonance } from './chainsaw-source.js';
export {
  engineTrack, programDurationSec, randomProgram,
  type ChainsawScene, type EngineParams, type EngineTrack, type ThrottleStep, type ThrottleStepKind,
} from './chainsaw-throttle.js';
