import { EcoSightError } from '#shared/errors.js';

/** Training or evaluation cannot proceed with the data or options given. */
export class TrainError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRAIN_FAILED', message, options);
  }
}

/** The caller's AbortSignal fired; nothing was written. */
export class TrainAbortedError extends EcoSightError {
  constructor() {
    super('TRAIN_ABORTED', 'training was aborted');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainAbortedError();
}
