import { Type, type Static } from '@sinclair/typebox';
import { ReleaseVersionSchema } from './version.js';

/**
 * `models/latest.json` in the bucket: which published version stations should
 * run. Written last by the publisher (after every file and the manifest), so a
 * reader that sees it finds the whole release.
 */
export const LatestPointerSchema = Type.Object({
  v: Type.Literal(1),
  version: ReleaseVersionSchema,
  createdAt: Type.String({ maxLength: 40 }),
}, { additionalProperties: false });
export type LatestPointer = Static<typeof LatestPointerSchema>;

/**
 * "Release X is the one to run", as stations receive it: the body of
 * `GET /api/models/latest` and the retained MQTT message on
 * `<prefix>/models/latest`, one shape for both. It is a hint, not a trust
 * anchor: the station downloads the manifest, verifies its signature and
 * refuses the release when the signed version differs from `version`.
 * `manifestUrl` is informative; a station with `ota.url` builds the URL from
 * its own cloud (releaseManifestUrl) and never fetches from where a message points.
 */
export const ReleaseAnnouncementSchema = Type.Object({
  v: Type.Literal(1),
  version: ReleaseVersionSchema,
  /** Absolute URL of the release's manifest.json. */
  manifestUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  createdAt: Type.String({ maxLength: 40 }),
}, { additionalProperties: true });
export type ReleaseAnnouncement = Static<typeof ReleaseAnnouncementSchema>;
