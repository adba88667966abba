/** `labels/<stationId>/<eventId>.json` (#shared/bucket/layout.js): a review, kept in storage so it survives the index. */
export interface LabelDoc {
  v: 1;
  eventId: string;
  stationId: string;
  clipKey: string | null;
  label: string;
  /** What the station's model said. */
  detectedLabel: string;
  reviewedAt: string;
}
