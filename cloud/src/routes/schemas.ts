import { Type, type TSchema } from '@sinclair/typebox';
import { ReleaseRecordSchema } from '#shared/release/record.js';

/** JSON schemas shared by routes; they also make the OpenAPI description at /docs. */
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ description: 'ISO 8601 UTC' });
const Loose = Type.Record(Type.String(), Type.Unknown());

export const ErrorSchema = Type.Object({
  success: Type.Literal(false),
  statusCode: Type.Integer(),
  code: Type.String({ description: 'stable machine-readable error code' }),
  error: Type.String(),
  message: Type.String(),
}, { additionalProperties: true, $id: 'Error' });

/** Error answers every route may give. */
export const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));

export const StationIdSchema = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' });

export const TelemetrySchema = Nullable(Type.Object({
  time: Type.String(),
  uptimeSec: Type.Number(),
  queueDepth: Type.Number(),
  pendingUploads: Type.Number(),
  pendingAlerts: Type.Number(),
  diskFreeBytes: Nullable(Type.Number()),
  clipBytes: Type.Number(),
  cpuTempC: Nullable(Type.Number()),
  lastAudioTime: Nullable(Type.String()),
  droppedWindows: Type.Number(),
  gapCount: Type.Number(),
}, { additionalProperties: true }));

export const StationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Time,
  lastSeen: Nullable(Time),
  state: Nullable(Type.String()),
  softwareVersion: Nullable(Type.String()),
  modelVersion: Nullable(Type.String()),
  telemetry: TelemetrySchema,
});

export const DetectionSchema = Type.Object({
  id: Type.String({ description: "the station's eventId (unique per station)" }),
  stationId: Type.String(),
  label: Type.String(),
  confidence: Type.Number(),
  startTime: Time,
  endTime: Nullable(Time),
  peakTime: Nullable(Time),
  windowCount: Nullable(Type.Integer()),
  shotCount: Nullable(Type.Integer()),
  alert: Type.Boolean(),
  state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  clipKey: Nullable(Type.String()),
  clipAvailable: Type.Boolean(),
  url: Type.String({ description: 'this detection\'s path: /api/detections/<id>?station=<stationId>' }),
  clipCodec: Nullable(Type.String({ description: 'wav, flac or opus' })),
  clipBytes: Nullable(Type.Integer({ description: 'encoded clip size, bytes' })),
  audioUrl: Nullable(Type.String()),
  spectrogramUrl: Nullable(Type.String()),
  modelVersion: Nullable(Type.String()),
  source: Nullable(Type.String()),
  scores: Nullable(Type.Record(Type.String(), Type.Number())),
  reviewed: Type.Boolean(),
  reviewedLabel: Nullable(Type.String()),
  reviewedAt: Nullable(Time),
  createdAt: Time,
  updatedAt: Time,
});

export const JobSummaryProps = {
  id: Type.String(),
  kind: Type.Literal('retrain'),
  state: Type.Union(['queued', 'running', 'succeeded', 'failed'].map((s) => Type.Literal(s))),
  stage: Nullable(Type.String()),
  percent: Type.Number(),
  stages: Type.Array(Type.String()),
  request: Type.Object({ minSamples: Type.Integer(), mode: Type.String(), seed: Type.Optional(Type.Integer()) }),
  runner: Type.String(),
  claimedBy: Nullable(Type.String()),
  createdAt: Time,
  startedAt: Nullable(Time),
  updatedAt: Time,
  finishedAt: Nullable(Time),
  result: Nullable(Type.Object({
    outcome: Type.Union([Type.Literal('published'), Type.Literal('rejected')]),
    version: Type.String(),
    dataCutoff: Type.String(),
    report: Loose,
  })),
  error: Nullable(Type.String()),
  seq: Type.Integer(),
};

export const JobSchema = Type.Object({
  ...JobSummaryProps,
  log: Type.Array(Type.Object({ time: Time, message: Type.String() })),
});

/** A ReleaseRecord (the shared release contract) plus whether it is the latest. */
export const ReleaseSchema = Type.Composite([
  ReleaseRecordSchema,
  Type.Object({ current: Type.Boolean({ description: 'the latest published release' }) }),
]);

export const PaginationQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
