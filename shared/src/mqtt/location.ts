/**
 * The wire contract for locating shots across stations: what a station adds
 * to its alert, status and telemetry (position, clock state, precise shot
 * onsets) and the incident the cloud publishes on `<prefix>/incidents`.
 * All fields a station adds are optional, so older stations and older
 * subscribers keep working (payload version stays 1).
 */
import type { GeoPosition } from '../geo/enu.js';

/** Where a station stands (config or gpsd). */
export interface StationPosition extends GeoPosition {
  altitudeM: number;
  /** Where the fix came from. */
  source: 'config' | 'gpsd';
  /** Horizontal accuracy, m, when known (gpsd's epx/epy; config: as surveyed). */
  accuracyM: number | null;
}

/**
 * How far the station's timestamps can be trusted. Time differences of
 * arrival need every station on one time base: 1 ms of clock error is 0.34 m
 * of range difference.
 */
export interface ClockState {
  /** The kernel/NTP daemon says the system clock is synchronised; null when it could not be read. */
  synchronized: boolean | null;
  /** What disciplines it: chrony/ntp/timesyncd, a GPS with PPS, nothing, or unknown. */
  source: 'ntp' | 'gps-pps' | 'none' | 'unknown';
  /** Estimated absolute error of the system clock, ms (chrony's root dispersion + delay/2, adjtimex maxerror). */
  estimatedErrorMs: number | null;
  /** Frequency error of the system clock, ppm, when the daemon reports it. */
  systemDriftPpm: number | null;
  /** Audio clock against the system clock, ppm (a mic's sample clock is not the system's); null for files. */
  audioDriftPpm: number | null;
  /** Where the audio's times come from: live capture, a recorder file name, or the file's mtime. */
  timeBase: 'capture' | 'file-name' | 'file-mtime' | 'replay';
}

/** Fields a station adds to its alert so the cloud can corroborate and locate. */
export interface AlertLocationFields {
  /**
   * Onset of every shot the alert has heard so far, epoch milliseconds with a
   * fractional part (sub-millisecond; a double keeps ~0.25 us at today's epoch).
   */
  shotOnsetsMs?: number[];
  position?: StationPosition;
  clock?: ClockState;
  /** Air temperature at the station, degC, when it has a sensor. */
  airTemperatureC?: number;
}

/** Fields a station adds to status and telemetry. */
export interface StationLocationFields {
  position?: StationPosition;
  clock?: ClockState;
  /** Air temperature at the station, degC, when it has a sensor (the cloud derives the speed of sound). */
  airTemperatureC?: number;
}

/** One station's part in an incident. */
export interface IncidentStation {
  stationId: string;
  alertId: string;
  eventId: string;
  /** First onset used for localisation, ISO 8601 with milliseconds. */
  onsetTime: string;
  /** The same, epoch ms with fraction. */
  onsetMs: number;
  shotOnsetsMs: number[];
  clipKey: string | null;
  confidence: number;
  /** Station position in the incident's local frame, m. */
  eastM: number;
  northM: number;
  /** Time residual after the fit, ms (null when not located); large = this station disagrees. */
  residualMs: number | null;
  /** Left out of the fit as an outlier. */
  excluded: boolean;
}

export type IncidentCorroboration = 'corroborated' | 'uncorroborated' | 'single-unknown';

/** An estimate of where the shot was fired. */
export interface IncidentLocation {
  kind: 'point' | 'bearing';
  latitude: number;
  longitude: number;
  /** In the incident's local frame (origin: `origin`), m. */
  eastM: number;
  northM: number;
  /** 1-sigma uncertainty ellipse from the fit's covariance, m; null for a bearing. */
  ellipse: { semiMajorM: number; semiMinorM: number; orientationDeg: number } | null;
  /**
   * For 2 stations: the hyperbola's asymptotic bearings from the pair's midpoint,
   * degrees clockwise from north. Two of them: a pair cannot tell its two sides apart.
   */
  bearingsDeg: number[] | null;
  /** RMS time residual of the fit, ms. */
  rmsResidualMs: number;
  /** Why the estimate is weak: 'outside-hull', 'collinear', 'two-stations', 'outlier-removed', 'large-residual'. */
  flags: string[];
  speedOfSoundMps: number;
}

/** `<prefix>/incidents`, QoS 1: published when an incident is created and each time it changes. */
export interface IncidentPayload {
  v: 1;
  type: 'new' | 'update';
  incidentId: string;
  label: string;
  /** Earliest onset over its stations, ISO 8601. */
  startTime: string;
  /** Shots in the burst (the most any station counted). */
  shotCount: number;
  corroboration: IncidentCorroboration;
  /** Online stations within hearing range that did not report it (why it is uncorroborated). */
  silentStations: string[];
  stations: IncidentStation[];
  /** Local frame's origin (the centroid of the stations that heard it). */
  origin: { latitude: number; longitude: number };
  location: IncidentLocation | null;
  /** 'high' when corroborated or nobody could have corroborated it; 'low' when online neighbours heard nothing. */
  priority: 'high' | 'low';
  /** Still accepting alerts; false once the window (hearing range / c + delivery grace) has passed. */
  open: boolean;
  updatedAt: string;
}
