/**
 * The classes EcoSight recognizes, in the order of the model's sigmoid outputs.
 * Multi-label: a window may hold several, or none (there is no "background" class).
 * Training, the station and the cloud all import this list so the order cannot drift.
 */
export const CLASS_NAMES = [
  'gunshot',
  'chainsaw',
  'vehicle',
  'human_voice',
  'dog_bark',
  'bird',
  'insect',
  'frog',
  'rain',
  'thunder',
  'wind',
  'explosion',
] as const;

export type ClassName = (typeof CLASS_NAMES)[number];

const CLASS_SET: ReadonlySet<string> = new Set(CLASS_NAMES);

export function isClassName(value: string): value is ClassName {
  return CLASS_SET.has(value);
}
