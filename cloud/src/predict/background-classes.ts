/** Class names that mean "nothing of interest" in operator uploads (negatives for retraining). */
export const BACKGROUND_CLASSES = new Set(['background', 'noise', 'other', 'silence', 'negative']);

export function isBackgroundClass(name: string): boolean {
  return BACKGROUND_CLASSES.has(name.toLowerCase());
}
