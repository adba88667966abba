import { Type, type TSchema } from '@sinclair/typebox';

/** JSON schema of an incident (shared/src/mqtt/location.ts IncidentPayload), for /api/incidents and /docs. */
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const IncidentStationSchema = Type.Object({
  stationId: Type.String(),
  alertId: Type.String(),
  eventId: Type.String(),
  onsetTime: Type.String({ description: 'first onset, ISO 8601 (ms)' }),
  onsetMs: Type.Number({ description: 'first onset, epoch ms with sub-ms fraction' }),
  shotOnsetsMs: Type.Array(Type.Number()),
  clipKey: Nullable(Type.String()),
  confidence: Type.Number(),
  eastM: Type.Number(),
  northM: Type.Number(),
  residualMs: Nullable(Type.Number({ description: 'time residual of the fit, ms' })),
  excluded: Type.Boolean({ description: 'left out of the fit as an outlier' }),
});

const LocationSchema = Type.Object({
  kind: Type.Union([Type.Literal('point'), Type.Literal('bearing')]),
  latitude: Type.Number(),
  longitude: Type.Number(),
  eastM: Type.Number(),
  northM: Type.Number(),
  ellipse: Nullable(Type.Object({ semiMajorM: Type.Number(), semiMinorM: Type.Number(), orientationDeg: Type.Number({ description: 'major axis, degrees clockwise from north' }) })),
  bearingsDeg: Nullable(Type.Array(Type.Number())),
  rmsResidualMs: Type.Number(),
  flags: Type.Array(Type.String({ description: 'outside-hull | collinear | two-stations | outlier-removed | large-residual' })),
  speedOfSoundMps: Type.Number(),
});

export const IncidentSchema = Type.Object({
  v: Type.Literal(1),
  type: Type.Union([Type.Literal('new'), Type.Literal('update')]),
  incidentId: Type.String(),
  label: Type.String(),
  startTime: Type.String(),
  shotCount: Type.Integer(),
  corroboration: Type.Union([Type.Literal('corroborated'), Type.Literal('uncorroborated'), Type.Literal('single-unknown')]),
  silentStations: Type.Array(Type.String()),
  stations: Type.Array(IncidentStationSchema),
  origin: Type.Object({ latitude: Type.Number(), longitude: Type.Number() }),
  location: Nullable(LocationSchema),
  priority: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  open: Type.Boolean(),
  updatedAt: Type.String(),
});
