import { SafeName } from '../util/safe-name.js';

/**
 * A release version (e.g. `2026.11.26-3`): a safe name, because it becomes a
 * folder on the station (`models/<version>/`) and a key prefix in the bucket.
 * Versions order with compareVersions (#shared/model/metadata.js).
 */
export const ReleaseVersionSchema = SafeName({ maxLength: 64, description: 'release version, e.g. 2026.11.26-3' });
