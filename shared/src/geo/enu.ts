/**
 * Geodetic <-> local East-North-Up metres around a reference point, on the
 * WGS84 ellipsoid. A station field spans a few kilometres, so the local
 * tangent plane with the ellipsoid's meridional and prime-vertical radii at
 * the reference is exact to millimetres there (the error grows as d^2 / R:
 * 0.1 m at 25 km), far below what sound timing resolves.
 */
export interface GeoPosition {
  /** Degrees, WGS84, -90..90. */
  latitude: number;
  /** Degrees, WGS84, -180..180. */
  longitude: number;
  /** Metres above the ellipsoid (or sea level: only differences matter here). Default 0. */
  altitudeM?: number;
}

/** Local coordinates, metres: x east, y north, z up. */
export interface EnuPoint {
  eastM: number;
  northM: number;
  upM: number;
}

const WGS84_A_M = 6_378_137;
const WGS84_F = 1 / 298.257223563;
const WGS84_E2 = WGS84_F * (2 - WGS84_F);
const RAD = Math.PI / 180;

/** Metres per radian of latitude and of longitude at `latitudeDeg`. */
function radii(latitudeDeg: number): { meridionalM: number; parallelM: number } {
  const s = Math.sin(latitudeDeg * RAD);
  const w = 1 - WGS84_E2 * s * s;
  const primeVerticalM = WGS84_A_M / Math.sqrt(w);
  return { meridionalM: (WGS84_A_M * (1 - WGS84_E2)) / (w * Math.sqrt(w)), parallelM: primeVerticalM * Math.cos(latitudeDeg * RAD) };
}

export function geodeticToEnu(reference: GeoPosition, p: GeoPosition): EnuPoint {
  const { meridionalM, parallelM } = radii(reference.latitude);
  let dLon = p.longitude - reference.longitude;
  if (dLon > 180) dLon -= 360;
  if (dLon < -180) dLon += 360;
  return {
    eastM: dLon * RAD * parallelM,
    northM: (p.latitude - reference.latitude) * RAD * meridionalM,
    upM: (p.altitudeM ?? 0) - (reference.altitudeM ?? 0),
  };
}

export function enuToGeodetic(reference: GeoPosition, e: EnuPoint): Required<GeoPosition> {
  const { meridionalM, parallelM } = radii(reference.latitude);
  let longitude = reference.longitude + e.eastM / parallelM / RAD;
  if (longitude > 180) longitude -= 360;
  if (longitude < -180) longitude += 360;
  return {
    latitude: reference.latitude + e.northM / meridionalM / RAD,
    longitude,
    altitudeM: (reference.altitudeM ?? 0) + e.upM,
  };
}

/** Straight-line distance between two positions, m (local-plane; for station spacings of km). */
export function distanceM(a: GeoPosition, b: GeoPosition): number {
  const e = geodeticToEnu(a, b);
  return Math.hypot(e.eastM, e.northM, e.upM);
}

/** Speed of sound in dry air at `temperatureC`, m/s (331.3 sqrt(1 + T/273.15)). */
export function speedOfSoundMps(temperatureC: number): number {
  return 331.3 * Math.sqrt(1 + temperatureC / 273.15);
}
