import { EcoSightError } from '#shared/errors.js';

/** The command line is wrong (unknown option, bad value): exit 2 with a hint, no stack. */
export class UsageError extends EcoSightError {
  constructor(message: string) {
    super('USAGE', message);
  }
}
