import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import type { ClipSidecar } from '#shared/mqtt/sidecar.js';
import { encodeClip } from '#testkit/clip-encode.js';
import { loadOriginals } from '../src/jobs/retrain/load.js';
import { loudWav } from './support/audio.js';
import { formBody } from './support/multipart.js';
import { ADMIN_KEY, startTestCloud, type TestCloud } from './support/test-cloud.js';

const admin = { 'x-api-key': ADMIN_KEY };

function sidecar(stationId: string, clipKey: string, eventId: string, bytes: number, codec: ClipSidecar['codec']): ClipSidecar {
  const start = '2026-11-20T10:00:00.000Z';
  return {
    v: 1, stationId, clipId: eventId, clipKey, sha256: 'x'.repeat(64), bytes, codec, sampleRateHz: 16000, durationSec: 1.5, clipStartTime: start,
    detection: { eventId, label: 'gunshot', confidence: 0.93, startTime: start, endTime: '2026-11-20T10:00:01.000Z', peakTime: start, windowCount: 2, shotCount: 1, scores: { gunshot: 0.93 } },
    modelVersion: '2026.01.01-1', source: 'mic', createdAt: '2026-11-20T10:00:02.000Z',
  };
}

describe('FLAC and Opus clips in the cloud', () => {
  let cloud: TestCloud;
  let base: string;
  let token: string;
  beforeAll(async () => {
    cloud = await startTestCloud({ MAX_UPLOAD_MB: '2' });
    base = await cloud.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await cloud.app.inject({ method: 'POST', url: '/api/stations', headers: admin, payload: { id: 'st-c', name: 'codecs' } });
    token = res.json().token as string;
  });
  afterAll(() => cloud.stop());

  for (const [codec, ext, type] of [['flac', 'flac', 'audio/flac'], ['opus', 'opus', 'audio/ogg']] as const) {
    it(`a station's ${codec} clip is stored, indexed with its codec, played, drawn and becomes training audio`, async () => {
      const clip = encodeClip(loudWav(), codec);
      const eventId = `ev-${codec}`;
      const clipKey = `stations/st-c/2026/11/20/${eventId}.${ext}`;
      const jsonKey = `stations/st-c/2026/11/20/${eventId}.json`;
      const res = await cloud.app.inject({ method: 'POST', url: '/api/stations/st-c/presign', headers: { 'x-station-token': token, host: new URL(base).host }, payload: { keys: [clipKey, jsonKey] } });
      expect(res.statusCode).toBe(200);
      const [clipUrl, jsonUrl] = res.json().urls as Array<{ url: string; headers: Record<string, string> }>;
      expect(clipUrl.headers).toEqual({ 'content-type': type });
      expect((await fetch(clipUrl.url, { method: 'PUT', headers: clipUrl.headers, body: clip })).status).toBe(200);
      const side = JSON.stringify(sidecar('st-c', clipKey, eventId, clip.byteLength, codec));
      expect((await fetch(jsonUrl.url, { method: 'PUT', headers: jsonUrl.headers, body: side })).status).toBe(200);

      const det = (await cloud.app.inject({ method: 'GET', url: `/api/detections/${eventId}` })).json();
      expect(det).toMatchObject({ clipKey, clipAvailable: true, clipCodec: codec, clipBytes: clip.byteLength });
      const audio = await cloud.app.inject({ method: 'GET', url: `/api/detections/${eventId}/audio` });
      expect(audio.headers['content-type']).toBe(type);
      expect(audio.rawPayload).toEqual(clip);
      const png = await cloud.app.inject({ method: 'GET', url: `/api/detections/${eventId}/spectrogram.png` });
      expect(png.statusCode).toBe(200);
      expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
      // The reviewed clip is read by the retrain job's loader: decoded to the model's rate, full length.
      const [loaded] = await loadOriginals(cloud.services.storage, [{ id: clipKey, key: clipKey, label: 'gunshot', source: 'station', labelledAt: '2026-11-20T10:00:00.000Z' }], 16000, () => undefined);
      expect(loaded?.samples.length).toBe(24000);
    });

    it(`/predict and /upload take ${codec} files and score them like the WAV`, async () => {
      const wav = loudWav();
      const compressed = encodeClip(wav, codec);
      const predict = async (name: string, content: Uint8Array) => {
        const { body, contentType } = formBody([{ name: 'file', filename: name, content }]);
        return (await cloud.app.inject({ method: 'POST', url: '/predict', headers: { ...admin, 'content-type': contentType }, payload: body })).json();
      };
      const fromWav = await predict('a.wav', wav);
      const fromCodec = await predict(`a.${ext}`, compressed);
      expect(fromCodec.durationSec).toBeCloseTo(fromWav.durationSec, 3);
      expect(Math.abs(fromCodec.scores.gunshot - fromWav.scores.gunshot)).toBeLessThan(codec === 'flac' ? 1e-3 : 0.1);
      const { body, contentType } = formBody([{ name: 'class', value: 'gunshot' }, { name: 'file', filename: `shot.${ext}`, content: compressed }]);
      const up = await cloud.app.inject({ method: 'POST', url: '/upload', headers: { ...admin, 'content-type': contentType }, payload: body });
      expect(up.statusCode).toBe(200);
      expect(up.json().file_path).toMatch(new RegExp(`^extracted_audio/gunshot/\\d{8}_\\d{6}_shot\\.${ext}$`));
      expect(await cloud.services.storage.get(up.json().file_path as string)).toEqual(compressed);
    });
  }

  it('refuses a small FLAC that would decode to more audio than an upload may hold (413), and corrupt FLAC (400)', async () => {
    // 5 minutes of silence: tens of kB of FLAC, far past the 2 MB (65 s) of 16 kHz PCM an upload may hold.
    const silence = encodeClip(encodeWav16(new Float32Array(16000 * 60 * 5), 16000), 'flac');
    expect(silence.byteLength).toBeLessThan(2 * 1024 * 1024);
    const { body, contentType } = formBody([{ name: 'file', filename: 'long.flac', content: silence }]);
    const res = await cloud.app.inject({ method: 'POST', url: '/predict', headers: { ...admin, 'content-type': contentType }, payload: body });
    expect(res.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    const good = encodeClip(loudWav(), 'flac');
    const corrupt = Buffer.concat([good.subarray(0, 200), Buffer.alloc(good.byteLength - 200, 0x55)]);
    const bad = formBody([{ name: 'file', filename: 'bad.flac', content: corrupt }]);
    const res2 = await cloud.app.inject({ method: 'POST', url: '/predict', headers: { ...admin, 'content-type': bad.contentType }, payload: bad.body });
    expect(res2.json()).toMatchObject({ statusCode: 400, code: 'AUDIO_DECODE' });
  });
});
