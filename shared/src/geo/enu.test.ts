import { describe, expect, it } from 'vitest';
import { distanceM, enuToGeodetic, geodeticToEnu, speedOfSoundMps } from './enu.js';

describe('local ENU coordinates', () => {
  const ref = { latitude: -1.2921, longitude: 36.8219, altitudeM: 1700 };

  it('one degree of latitude is about 110.6 km at the equator and 111.7 km at the poles (WGS84)', () => {
    expect(geodeticToEnu({ latitude: 0, longitude: 0 }, { latitude: 0.01, longitude: 0 }).northM * 100).toBeCloseTo(110_574, -1);
    expect(geodeticToEnu({ latitude: 89.99, longitude: 0 }, { latitude: 90, longitude: 0 }).northM * 100).toBeCloseTo(111_694, -1);
  });

  it('one degree of longitude shrinks with cos(latitude): 111.32 km at 0, 78.85 km at 45 deg', () => {
    expect(geodeticToEnu({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 0.01 }).eastM * 100).toBeCloseTo(111_319, -1);
    expect(geodeticToEnu({ latitude: 45, longitude: 0 }, { latitude: 45, longitude: 0.01 }).eastM * 100).toBeCloseTo(78_847, -1);
  });

  it('round-trips to the millimetre over a few kilometres, across the antimeridian too', () => {
    for (const r of [ref, { latitude: 10, longitude: 179.999 }]) {
      const e = { eastM: 1234.5, northM: -2345.6, upM: 12 };
      const back = geodeticToEnu(r, enuToGeodetic(r, e));
      expect(back.eastM).toBeCloseTo(e.eastM, 3);
      expect(back.northM).toBeCloseTo(e.northM, 3);
      expect(back.upM).toBeCloseTo(e.upM, 6);
    }
  });

  it('distance is the 3-D length', () => {
    const b = enuToGeodetic(ref, { eastM: 300, northM: 400, upM: 0 });
    expect(distanceM(ref, b)).toBeCloseTo(500, 2);
  });

  it('speed of sound: 331.3 m/s at 0 degC, about 343.2 at 20 degC', () => {
    expect(speedOfSoundMps(0)).toBeCloseTo(331.3, 6);
    expect(speedOfSoundMps(20)).toBeCloseTo(343.2, 1);
  });
});
