/** Public entry of the field simulator (several stations hearing the same shots). See README.md. */
export { pinkNoise } from './background.js';
export { audioMothName, writeFieldRecordings } from './field-files.js';
export {
  simulateField, type FieldArrival, type FieldOptions, type FieldRecording, type FieldShot, type FieldStation,
} from './field-sim.js';
export { ringLayout, shotInside, type LayoutOptions } from './scenario.js';
