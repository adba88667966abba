import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { validateConfig } from './validate.js';

/**
 * The cloud service is configured by environment variables only (Render,
 * containers). Each variable maps to one field; the schema types and checks them.
 */
export const CloudConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
  host: Type.String({ default: '0.0.0.0' }),
  dataDir: Type.String({ default: './var/cloud' }),
  /**
   * PostgreSQL connection URL (`postgres://user:password@host:5432/db`) for the
   * index; empty keeps it in SQLite at DATA_DIR/index.sqlite (one instance only).
   */
  databaseUrl: Type.String({ pattern: '^(postgres(ql)?://.+)?$', default: '' }),
  storage: Type.Union([Type.Literal('fs'), Type.Literal('s3')], { default: 'fs' }),
  s3Bucket: Type.String({ default: '' }),
  s3Endpoint: Type.String({ default: '' }),
  s3ForcePathStyle: Type.Boolean({ default: false }),
  awsRegion: Type.String({ default: 'us-east-1' }),
  /** Admin key for mutating routes; empty only in embedded/dev mode (then mutations are refused). */
  apiKey: Type.String({ default: '' }),
  /** Read-only key: the dashboard's data (detections, clips, stations, live feed), never a change. */
  viewerKey: Type.String({ default: '' }),
  /** Ed25519 private key (PEM or base64 PKCS#8) that signs model releases. */
  modelSigningKey: Type.String({ default: '' }),
  /** A retrain needs at least this many new labelled samples. */
  minNewSamples: Type.Integer({ minimum: 0, default: 10 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  mqttUrl: Type.String({ default: '' }),
  mqttPrefix: Type.String({ pattern: '^[^#+]+$', default: 'ecosight' }),
  /**
   * Serve read-only dashboard routes without a key. Off by default: clips may hold
   * voices, and the live feed tells where sensors heard shots.
   */
  publicDashboard: Type.Boolean({ default: false }),
  maxUploadMb: Type.Number({ minimum: 1, maximum: 1024, default: 50 }),
  uploadsPerMinute: Type.Integer({ minimum: 1, default: 120 }),
  /** Externally visible base URL (model manifest links); default from the request. */
  publicUrl: Type.String({ default: '' }),
  /**
   * Proxies in front whose X-Forwarded-For entries are believed: `false` (none,
   * the default), a hop count (`1` on Render: one proxy appends the client's
   * address), or a comma-separated list of proxy addresses/CIDRs. `true` means 1:
   * trusting every hop would let a client pick its own address (and rate limit).
   */
  trustProxy: Type.String({ pattern: '^(false|true|[0-9]|[0-9A-Fa-f.:/]+(,\\s*[0-9A-Fa-f.:/]+)*)$', default: 'false' }),
  /** At most this many /predict requests decode and classify at once (each may hold MAX_PREDICT_SEC of audio). */
  predictConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  /** /predict requests that may wait for a slot; more get 503 with Retry-After. */
  predictQueue: Type.Integer({ minimum: 0, maximum: 1000, default: 8 }),
  /** Longest audio /predict accepts, in seconds (training uploads keep MAX_UPLOAD_MB). */
  maxPredictSec: Type.Number({ minimum: 1, maximum: 3600, default: 120 }),
  /** MQTT client id of the API's subscription: fixed, with a persistent session, so messages sent while it restarts wait at the broker. */
  mqttClientId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', default: 'ecosight-cloud-api' }),
  /** `inline`: the API runs retrain jobs itself; `worker`: a separate worker claims them. */
  jobRunner: Type.Union([Type.Literal('inline'), Type.Literal('worker')], { default: 'inline' }),
  /** How far a gunshot is heard, m: online stations this close that report nothing make an alert uncorroborated. */
  incidentHearingRangeM: Type.Number({ minimum: 50, maximum: 20000, default: 1500 }),
  /** Air temperature for the speed of sound when no station reports one, degC. */
  incidentAirTemperatureC: Type.Number({ minimum: -50, maximum: 60, default: 20 }),
  /** Seconds after an incident's last alert before its corroboration verdict is final. */
  incidentSettleSec: Type.Number({ minimum: 0, maximum: 3600, default: 15 }),
  /**
   * Seconds between reconciliations: listings of each station's recent clip folders that find
   * uploads no confirmation announced (older stations, lost confirmations). Stations confirm each
   * upload (POST /api/stations/:id/uploads/confirm), so this is a repair, not the ingest path:
   * daily by default; 0 = never on a timer (POST /api/scan still runs one).
   */
  reconcileIntervalSec: Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 86_400 }),
}, { additionalProperties: false });

export type CloudConfig = Static<typeof CloudConfigSchema>;

/** Environment variable -> config field. AWS_ACCESS_KEY_ID/SECRET are read by the AWS SDK's own chain. */
export const CLOUD_ENV: Readonly<Record<string, keyof CloudConfig>> = {
  PORT: 'port',
  HOST: 'host',
  DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  STORAGE: 'storage',
  S3_BUCKET: 's3Bucket',
  S3_ENDPOINT: 's3Endpoint',
  S3_FORCE_PATH_STYLE: 's3ForcePathStyle',
  AWS_REGION: 'awsRegion',
  API_KEY: 'apiKey',
  VIEWER_KEY: 'viewerKey',
  MODEL_SIGNING_KEY: 'modelSigningKey',
  MIN_NEW_SAMPLES: 'minNewSamples',
  LOG_LEVEL: 'logLevel',
  MQTT_URL: 'mqttUrl',
  MQTT_PREFIX: 'mqttPrefix',
  PUBLIC_DASHBOARD: 'publicDashboard',
  MAX_UPLOAD_MB: 'maxUploadMb',
  UPLOADS_PER_MINUTE: 'uploadsPerMinute',
  PUBLIC_URL: 'publicUrl',
  JOB_RUNNER: 'jobRunner',
  TRUST_PROXY: 'trustProxy',
  PREDICT_CONCURRENCY: 'predictConcurrency',
  PREDICT_QUEUE: 'predictQueue',
  MAX_PREDICT_SEC: 'maxPredictSec',
  MQTT_CLIENT_ID: 'mqttClientId',
  INCIDENT_HEARING_RANGE_M: 'incidentHearingRangeM',
  INCIDENT_AIR_TEMPERATURE_C: 'incidentAirTemperatureC',
  INCIDENT_SETTLE_SEC: 'incidentSettleSec',
  RECONCILE_INTERVAL_SEC: 'reconcileIntervalSec',
};

/** Variables the AWS SDK reads itself (declared in render.yaml, never read by our code). */
export const AWS_SDK_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export function loadCloudConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<CloudConfig> = {}): CloudConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, field] of Object.entries(CLOUD_ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const coerced = coerce(field, value);
    if (coerced === undefined) problems.push(`${name}: ${JSON.stringify(value)} is not a valid ${kindOf(field)}`);
    else raw[field] = coerced;
  }
  Object.assign(raw, overrides);
  let config: CloudConfig;
  try {
    config = validateConfig(CloudConfigSchema, raw, 'environment');
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError('environment', [...problems, ...err.problems.map(envName)]);
    throw err;
  }
  if (config.storage === 's3' && !config.s3Bucket) problems.push('S3_BUCKET: required when STORAGE=s3');
  if (problems.length > 0) throw new ConfigError('environment', problems);
  return config;
}

const NUMERIC = new Set<keyof CloudConfig>([
  'port', 'minNewSamples', 'maxUploadMb', 'uploadsPerMinute', 'predictConcurrency', 'predictQueue', 'maxPredictSec',
  'incidentHearingRangeM', 'incidentAirTemperatureC', 'incidentSettleSec', 'reconcileIntervalSec',
]);
const BOOLEAN = new Set<keyof CloudConfig>(['s3ForcePathStyle', 'publicDashboard']);

/** TRUST_PROXY as fastify's trustProxy: false, a hop count, or addresses. */
export function trustProxySetting(value: string): false | number | string[] {
  const v = value.trim();
  if (v === 'false' || v === '0' || v === '') return false;
  if (v === 'true') return 1;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function coerce(field: keyof CloudConfig, value: string): unknown {
  if (NUMERIC.has(field)) return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
  if (BOOLEAN.has(field)) {
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
    return undefined;
  }
  return value;
}

function kindOf(field: keyof CloudConfig): string {
  return NUMERIC.has(field) ? 'number' : BOOLEAN.has(field) ? 'boolean' : 'value';
}

// Report problems by the variable name the operator set, not the internal field.
function envName(problem: string): string {
  const field = problem.split(':')[0];
  const name = Object.entries(CLOUD_ENV).find(([, f]) => f === field)?.[0];
  return name ? problem.replace(field, name) : problem;
}
