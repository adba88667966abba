import { EcoSightError } from '#shared/errors.js';

/**
 * A release the station will not install. `permanent` says whether trying the
 * same release again could change the answer: a bad signature, a signed version
 * that differs from the announced one, a downgrade or a model that fails its
 * reference clips never will (the poll may remember the ETag and stop asking);
 * a dropped link or a file that arrived short might (the poll asks again).
 */
export class ReleaseRefusedError extends EcoSightError {
  constructor(message: string, readonly permanent: boolean, options?: { cause?: unknown }) {
    super(permanent ? 'OTA_REFUSED' : 'OTA_DEFERRED', message, options);
  }
}
