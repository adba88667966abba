import { describe, expect, it } from 'vitest';
import { clipObjectKey, sidecarKeyFor, stationUploadKeyProblem } from './layout.js';

describe('stationUploadKeyProblem: keys a station names are hostile input', () => {
  const clip = clipObjectKey('st-a', 'st-a.ev-1f2e', Date.UTC(2026, 11, 4, 10), 'flac');

  it("accepts the station's own clips and sidecars, as the station builds them", () => {
    expect(clip).toBe('stations/st-a/2026/12/04/st-a.ev-1f2e.flac');
    expect(stationUploadKeyProblem('st-a', clip)).toBeUndefined();
    expect(stationUploadKeyProblem('st-a', sidecarKeyFor(clip))).toBeUndefined();
  });

  it("refuses another station's keys as foreign, and anything that is not a clip or sidecar as malformed", () => {
    for (const key of [clip.replace('st-a/', 'st-b/'), 'stations/st-ab/2026/12/04/x.wav', 'labels/st-a/x.json', 'st-a/2026/12/04/x.wav', '']) {
      expect(stationUploadKeyProblem('st-a', key)?.kind, key).toBe('foreign');
    }
    for (const key of [
      'stations/st-a/station.json', 'stations/st-a/x.wav', 'stations/st-a/2026/12/04/x.exe', 'stations/st-a/2026/12/04/sub/x.wav',
      'stations/st-a/2026/12/04/..wav', 'stations/st-a/2026/12/04/.hidden.json', 'stations/st-a/2026/12/04/a..b.wav',
      'stations/st-a/2026/12/04/a b.wav', `stations/st-a/2026/12/04/${'x'.repeat(300)}.wav`, 'stations/st-a/26/12/04/x.wav',
    ]) {
      expect(stationUploadKeyProblem('st-a', key)?.kind, key).toBe('malformed');
    }
    expect(stationUploadKeyProblem('st-a', 42)?.kind).toBe('malformed');
  });
});
