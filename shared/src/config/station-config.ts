import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { readConfigFile, setPath, validateConfig } from './validate.js';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'letters, digits, - and _; at most 64' });
const Seconds = (def: number, min = 0) => Type.Number({ minimum: min, default: def });

export const SourceSchema = Type.Object({
  /** `mic` (live capture), `file` (replay one WAV) or `folder` (drop folder of WAV files). */
  type: Type.Union([Type.Literal('mic'), Type.Literal('file'), Type.Literal('folder')], { default: 'file' }),
  /** mic: ALSA device (e.g. `plughw:1,0`); empty for the default device. */
  device: Type.String({ default: '' }),
  /** mic: program that records: arecord (ALSA), sox or rec. */
  recorder: Type.Union([Type.Literal('arecord'), Type.Literal('sox'), Type.Literal('rec')], { default: 'arecord' }),
  /** mic: a recorder that sends nothing for this long is considered hung and restarted. */
  stallTimeoutSec: Seconds(5, 0.1),
  /** mic: restart backoff bounds. */
  restartMinSec: Seconds(1, 0),
  restartMaxSec: Seconds(60, 0),
  /** file/folder: path of the WAV file or the watched folder. */
  path: Type.String({ default: '' }),
  /** file: pace the replay in real time (true) or run as fast as possible (false). */
  realtime: Type.Boolean({ default: false }),
  /** file: start again at the end (demo stations). */
  loop: Type.Boolean({ default: false }),
  /** folder: what to do with a file once processed. */
  afterProcessing: Type.Union([Type.Literal('move'), Type.Literal('delete'), Type.Literal('keep')], { default: 'move' }),
  /** folder: where processed files go (default `<dataDir>/processed`). */
  processedDir: Type.String({ default: '' }),
  /** folder: a file is complete once its size has not changed for this long. */
  stableSec: Seconds(2, 0),
  /** folder: file name pattern (suffix match, case-insensitive). */
  extension: Type.String({ default: '.wav' }),
}, { additionalProperties: false, default: {} });

export const ClassRuleSchema = Type.Object({
  threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** k-of-n smoothing: active when at least k of the last n windows score >= threshold. */
  k: Type.Optional(Type.Integer({ minimum: 1 })),
  n: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Raise an alert (MQTT `alert` topic) when this class is detected. */
  alert: Type.Optional(Type.Boolean()),
  /** Clip deletion priority under disk pressure: higher survives longer. */
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
}, { additionalProperties: false });

/**
 * The `logging` alert (MQTT `logging` topic): raised when `label` is present in
 * windows covering at least `minPresentSec` of the last `spanSec`, updated every
 * `updateEverySec` while it lasts, ended when presence in the span falls below
 * `endBelowPresentSec`. Threshold: `threshold`, else the class rule's, else the model's.
 */
export const LoggingAlertSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  label: Type.String({ default: 'chainsaw' }),
  spanSec: Seconds(30, 1),
  minPresentSec: Seconds(20, 0.5),
  endBelowPresentSec: Seconds(3, 0),
  updateEverySec: Seconds(30, 1),
  threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
}, { additionalProperties: false, default: {} });

export const StationConfigSchema = Type.Object({
  stationId: Type.String({ ...Id, default: 'station-01' }),
  dataDir: Type.String({ default: './var/station' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  source: SourceSchema,
  model: Type.Object({
    /** Model directory; empty uses `<dataDir>/models/current`, else the shipped `models/`. */
    dir: Type.String({ default: '' }),
    backend: Type.Union([Type.Literal('auto'), Type.Literal('node'), Type.Literal('wasm'), Type.Literal('cpu')], { default: 'auto' }),
    /** Most windows classified in one call. */
    maxBatch: Type.Integer({ minimum: 1, maximum: 256, default: 32 }),
  }, { additionalProperties: false, default: {} }),
  detection: Type.Object({
    /** Hop between analysis windows (each 0.96 s long). */
    hopSec: Type.Number({ minimum: 0.01, maximum: 0.96, default: 0.48 }),
    /** Defaults for classes without their own rule; thresholds fall back to the model's. */
    k: Type.Integer({ minimum: 1, default: 1 }),
    n: Type.Integer({ minimum: 1, default: 1 }),
    /** An event longer than this is closed and a new one opened (bounded clips). */
    maxEventSec: Seconds(30, 1),
    classes: Type.Record(Type.String(), ClassRuleSchema, { default: {} }),
    logging: LoggingAlertSchema,
  }, { additionalProperties: false, default: {} }),
  clips: Type.Object({
    preRollSec: Seconds(1, 0),
    postRollSec: Seconds(1, 0),
    /** Clip folder quota; oldest uploaded clips go first when it is exceeded. 0 = unlimited. */
    quotaMb: Type.Number({ minimum: 0, default: 0 }),
    /**
     * How clips are stored and uploaded: `flac` (lossless, about half of WAV; needs the
     * `flac` program), `opus` (lossy, `opusBitrateKbps`; needs `opusenc`) or `wav`.
     * See docs/benchmarks.md for sizes, cost and what each does to the model's scores.
     */
    codec: Type.Union([Type.Literal('flac'), Type.Literal('opus'), Type.Literal('wav')], { default: 'flac' }),
    /** opus: target bitrate in kbit/s (6-128). */
    opusBitrateKbps: Type.Integer({ minimum: 6, maximum: 128, default: 32 }),
    /** flac: compression level, 0 (fastest) to 8 (smallest). */
    flacLevel: Type.Integer({ minimum: 0, maximum: 8, default: 5 }),
    /** An encoder still running after this long is killed; the clip write then fails and is retried. */
    encoderTimeoutSec: Seconds(30, 1),
  }, { additionalProperties: false, default: {} }),
  mqtt: Type.Object({
    /** mqtt://, mqtts://, ws:// URL; empty disables MQTT. */
    url: Type.String({ default: '' }),
    prefix: Type.String({ pattern: '^[^#+]+$', default: 'ecosight' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4 }),
    caFile: Type.Optional(Type.String()),
    certFile: Type.Optional(Type.String()),
    keyFile: Type.Optional(Type.String()),
    rejectUnauthorized: Type.Boolean({ default: true }),
    telemetryIntervalSec: Seconds(60, 1),
    /** Shots of one class within this time of the last make one alert with a shot count. */
    alertCooldownSec: Seconds(10, 0),
    homeAssistant: Type.Object({
      enabled: Type.Boolean({ default: false }),
      discoveryPrefix: Type.String({ default: 'homeassistant' }),
    }, { additionalProperties: false, default: {} }),
  }, { additionalProperties: false, default: {} }),
  upload: Type.Object({
    /** S3 bucket; empty (and no presignUrl) keeps clips on disk (local mode). */
    bucket: Type.String({ default: '' }),
    endpoint: Type.String({ default: '' }),
    region: Type.String({ default: 'us-east-1' }),
    forcePathStyle: Type.Boolean({ default: false }),
    /** Cloud presign endpoint base URL (the station then needs no S3 keys). */
    presignUrl: Type.String({ default: '' }),
    /** Station token for the cloud's station routes. */
    token: Type.Optional(Type.String()),
    concurrency: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
    /** Optional bandwidth cap; 0 = unlimited. */
    maxBytesPerSec: Type.Integer({ minimum: 0, default: 0 }),
    attemptTimeoutSec: Seconds(60, 1),
    retryMinSec: Seconds(2, 0),
    retryMaxSec: Seconds(900, 0),
    multipartThresholdMb: Type.Number({ minimum: 5, default: 8 }),
  }, { additionalProperties: false, default: {} }),
  ota: Type.Object({
    /** Cloud base URL to poll (latestReleaseUrl: `<url>/api/models/latest`); empty disables polling. */
    url: Type.String({ default: '' }),
    pollIntervalSec: Seconds(3600, 5),
    /** Ed25519 public key (PEM or base64 SPKI) that signs model releases. */
    publicKey: Type.String({ default: '' }),
    /** Refuse versions older than the running one unless pinned. */
    pinnedVersion: Type.String({ default: '' }),
  }, { additionalProperties: false, default: {} }),
  /** Where the station stands and how good its clock is: what the cloud needs to corroborate and locate shots. */
  location: Type.Object({
    /** WGS84 degrees; set both (surveyed, or from a phone) or use gpsd. */
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    altitudeM: Type.Number({ default: 0 }),
    /** How well the position is known, m. */
    accuracyM: Type.Optional(Type.Number({ minimum: 0 })),
    /** Read the position from gpsd (a GPS receiver on the box); the config position is the fallback. */
    gpsd: Type.Object({
      enabled: Type.Boolean({ default: false }),
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ minimum: 1, maximum: 65535, default: 2947 }),
    }, { additionalProperties: false, default: {} }),
    /**
     * Error of a recorder's own clock (folder source: time from the file name), ms 1-sigma:
     * about 1 for a GPS-synchronised AudioMoth, tens for one set by hand. Unset = unknown.
     */
    recorderClockErrorMs: Type.Optional(Type.Number({ minimum: 0 })),
    /** Site air temperature when there is no sensor, degC (the cloud derives the speed of sound). */
    airTemperatureC: Type.Optional(Type.Number({ minimum: -60, maximum: 70 })),
    /** How often the system clock's sync state is read (chronyc / timedatectl). */
    clockCheckIntervalSec: Seconds(60, 5),
  }, { additionalProperties: false, default: {} }),
  statusPage: Type.Object({
    /** A small web page on the station for a technician in the field (off by default). */
    enabled: Type.Boolean({ default: false }),
    /** `127.0.0.1` (this box only, e.g. over SSH), `0.0.0.0` (the box's LAN) or one address of the box. */
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8088 }),
    /**
     * The page password, hashed: `ecosight-station hash-password` prints the line to paste
     * (scrypt; the password itself is never stored). Required when enabled.
     */
    passwordHash: Type.String({ default: '' }),
    /** A login lasts this long. */
    sessionHours: Type.Number({ minimum: 0.1, maximum: 720, default: 12 }),
    /** How much of the past the spectrogram shows. */
    spectrogramMinutes: Type.Number({ minimum: 1, maximum: 30, default: 5 }),
  }, { additionalProperties: false, default: {} }),
  retention: Type.Object({
    /**
     * Settled items older than this many days are pruned from station.db: messages
     * delivered, clips uploaded (their local copies too), closed segments, gaps, deletion
     * records. What is not yet delivered is kept whatever its age. 0 = keep forever.
     */
    maxAgeDays: Type.Number({ minimum: 0, default: 30 }),
    /** Above this much live data in station.db, settled items go sooner, oldest first. 0 = no size bound. */
    maxDbMb: Type.Number({ minimum: 0, default: 256 }),
    /** How often the retention pass runs. */
    intervalSec: Seconds(3600, 1),
  }, { additionalProperties: false, default: {} }),
  systemd: Type.Object({
    /** The pipeline must have produced a window within this time for watchdog pings to go out. */
    heartbeatStaleSec: Seconds(30, 1),
    /** Bound on the graceful drain after SIGTERM. */
    stopTimeoutSec: Seconds(20, 1),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

export type StationConfig = Static<typeof StationConfigSchema>;
export type SourceConfig = Static<typeof SourceSchema>;
export type ClassRule = Static<typeof ClassRuleSchema>;

/** Environment variables the station reads, and the config path each overrides. */
export const STATION_ENV: Readonly<Record<string, string>> = {
  ECOSIGHT_STATION_ID: 'stationId',
  ECOSIGHT_DATA_DIR: 'dataDir',
  ECOSIGHT_LOG_LEVEL: 'logLevel',
  ECOSIGHT_MODEL_DIR: 'model.dir',
  ECOSIGHT_MQTT_URL: 'mqtt.url',
  ECOSIGHT_MQTT_PREFIX: 'mqtt.prefix',
  ECOSIGHT_MQTT_USERNAME: 'mqtt.username',
  ECOSIGHT_MQTT_PASSWORD: 'mqtt.password',
  S3_BUCKET: 'upload.bucket',
  S3_ENDPOINT: 'upload.endpoint',
  S3_FORCE_PATH_STYLE: 'upload.forcePathStyle',
  AWS_REGION: 'upload.region',
  ECOSIGHT_PRESIGN_URL: 'upload.presignUrl',
  ECOSIGHT_STATION_TOKEN: 'upload.token',
  ECOSIGHT_OTA_URL: 'ota.url',
  ECOSIGHT_OTA_PUBLIC_KEY: 'ota.publicKey',
  ECOSIGHT_LATITUDE: 'location.latitude',
  ECOSIGHT_LONGITUDE: 'location.longitude',
  ECOSIGHT_ALTITUDE_M: 'location.altitudeM',
  ECOSIGHT_CLIP_CODEC: 'clips.codec',
};

/**
 * Loads the station config: file (optional), then environment overrides, then
 * defaults and validation. Every problem is reported at once.
 */
export function loadStationConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): StationConfig {
  const raw = (file ? readConfigFile(file) : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, path] of Object.entries(STATION_ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, coerceEnv(path, value));
  }
  if (env.ECOSIGHT_SOURCE) {
    try {
      setPath(raw, 'source', { ...(raw.source as object | undefined), ...parseSourceSpec(env.ECOSIGHT_SOURCE) });
    } catch (err) {
      problems.push(`ECOSIGHT_SOURCE: ${(err as Error).message}`);
    }
  }
  const source = file ?? 'environment';
  let config: StationConfig;
  try {
    config = validateConfig(StationConfigSchema, raw, source);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(source, [...problems, ...err.problems]);
    throw err;
  }
  problems.push(...crossCheck(config));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

/** `mic:DEVICE`, `file:PATH` or `folder:PATH` into source fields. */
export function parseSourceSpec(spec: string): Partial<SourceConfig> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  if (kind === 'mic') return { type: 'mic', device: rest };
  if (kind === 'file' || kind === 'folder') {
    if (!rest) throw new Error(`"${kind}:" needs a path, e.g. ${kind}:/data/audio`);
    return { type: kind, path: rest };
  }
  throw new Error(`unknown source "${spec}"; use mic:DEVICE, file:PATH or folder:PATH`);
}

function coerceEnv(path: string, value: string): unknown {
  if (path === 'upload.forcePathStyle') return /^(1|true|yes)$/i.test(value);
  if (path.startsWith('location.') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return value;
}

function crossCheck(c: StationConfig): string[] {
  const problems: string[] = [];
  if ((c.source.type === 'file' || c.source.type === 'folder') && !c.source.path) {
    problems.push(`source.path: required for a ${c.source.type} source`);
  }
  if (c.source.restartMaxSec < c.source.restartMinSec) problems.push('source.restartMaxSec: must be >= source.restartMinSec');
  if (c.upload.retryMaxSec < c.upload.retryMinSec) problems.push('upload.retryMaxSec: must be >= upload.retryMinSec');
  for (const [label, rule] of Object.entries(c.detection.classes)) {
    if (rule.k !== undefined && rule.n !== undefined && rule.k > rule.n) problems.push(`detection.classes.${label}: k must be <= n`);
  }
  if (c.detection.k > c.detection.n) problems.push('detection.k: must be <= detection.n');
  if ((c.location.latitude === undefined) !== (c.location.longitude === undefined)) problems.push('location: set both latitude and longitude, or neither');
  if (c.statusPage.enabled && !c.statusPage.passwordHash.startsWith('scrypt$')) {
    problems.push('statusPage.passwordHash: required when the status page is enabled; create it with `ecosight-station hash-password`');
  }
  if (c.mqtt.url && !/^(mqtts?|wss?|tcp|ssl):\/\//.test(c.mqtt.url)) problems.push(`mqtt.url: unsupported scheme in ${JSON.stringify(c.mqtt.url)}`);
  return problems;
}
