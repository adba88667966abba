/**
 * MQTT topics. Every topic EcoSight publishes or subscribes to comes from here:
 * `<prefix>/<stationId>/<kind>` for station topics, `<prefix>/models/latest` for
 * the retained model announcement.
 */
export type StationTopicKind = 'status' | 'event' | 'alert' | 'telemetry' | 'logging';

const SEGMENT = /^[^/#+\s]+$/;

export interface StationTopics {
  status: string;
  event: string;
  alert: string;
  telemetry: string;
  logging: string;
}

export function stationTopic(prefix: string, stationId: string, kind: StationTopicKind): string {
  assertSegment('station id', stationId);
  return `${normalisePrefix(prefix)}/${stationId}/${kind}`;
}

export function stationTopics(prefix: string, stationId: string): StationTopics {
  return {
    status: stationTopic(prefix, stationId, 'status'),
    event: stationTopic(prefix, stationId, 'event'),
    alert: stationTopic(prefix, stationId, 'alert'),
    telemetry: stationTopic(prefix, stationId, 'telemetry'),
    logging: stationTopic(prefix, stationId, 'logging'),
  };
}

/** Wildcard subscription for one kind across all stations (the cloud listens here). */
export function allStationsTopic(prefix: string, kind: StationTopicKind): string {
  return `${normalisePrefix(prefix)}/+/${kind}`;
}

/** Retained announcement of the newest published model. */
export function modelAnnounceTopic(prefix: string): string {
  return `${normalisePrefix(prefix)}/models/latest`;
}

/** Incidents the cloud found by corroborating alerts across stations (QoS 1, not retained). */
export function incidentsTopic(prefix: string): string {
  return `${normalisePrefix(prefix)}/incidents`;
}

/**
 * Live updates between the cloud's own instances (one fans out what it ingested
 * or changed to the dashboards of the others). `_cloud` cannot be a station id
 * (ids start with a letter or digit), so no station's topics reach it.
 */
export function cloudLiveTopic(prefix: string): string {
  return `${normalisePrefix(prefix)}/_cloud/live`;
}

/** Parses `<prefix>/<stationId>/<kind>`; undefined when the topic is not a station topic. */
export function parseStationTopic(prefix: string, topic: string): { stationId: string; kind: StationTopicKind } | undefined {
  const p = normalisePrefix(prefix);
  if (!topic.startsWith(`${p}/`)) return undefined;
  const rest = topic.slice(p.length + 1).split('/');
  if (rest.length !== 2) return undefined;
  const [stationId, kind] = rest;
  if (!['status', 'event', 'alert', 'telemetry', 'logging'].includes(kind)) return undefined;
  return { stationId, kind: kind as StationTopicKind };
}

/** Home Assistant MQTT discovery config topic for one station sensor. */
export function homeAssistantConfigTopic(discoveryPrefix: string, stationId: string, objectId: string): string {
  assertSegment('station id', stationId);
  assertSegment('object id', objectId);
  return `${normalisePrefix(discoveryPrefix)}/sensor/ecosight_${stationId}/${objectId}/config`;
}

function normalisePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  if (!p || /[#+]/.test(p)) throw new Error(`invalid MQTT topic prefix ${JSON.stringify(prefix)}`);
  return p;
}

function assertSegment(what: string, value: string): void {
  if (!SEGMENT.test(value)) throw new Error(`invalid ${what} for an MQTT topic: ${JSON.stringify(value)}`);
}
