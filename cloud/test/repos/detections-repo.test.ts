import { describe, expect, it } from 'vitest';
import type { EventPayload } from '#shared/mqtt/payloads.js';
import { engineUnavailable, freshIndexes, INDEX_ENGINES } from '../support/index-engines.js';

const ev = (type: EventPayload['type'], patch: Partial<EventPayload> = {}): EventPayload => ({
  v: 1, type, stationId: 's1', eventId: 'e1', label: 'gunshot', confidence: 0.6, startTime: '2026-01-01T00:00:00.000Z',
  peakTime: '2026-01-01T00:00:00.200Z', windowCount: 1, clipKey: 'stations/s1/2026/01/01/e1.wav', modelVersion: 'm1', source: 'mic',
  alert: false, delayed: false, ...patch,
});

describe.each(INDEX_ENGINES)('DetectionsRepo merges on %s', (engine) => {
  const unavailable = engineUnavailable(engine);
  if (unavailable) return void it.skip(unavailable);
  const fresh = freshIndexes(engine);
  const messages = [
    ev('start'),
    ev('update', { confidence: 0.9, peakTime: '2026-01-01T00:00:00.700Z', windowCount: 3, alert: true }),
    ev('end', { confidence: 0.7, endTime: '2026-01-01T00:00:02.000Z', windowCount: 4 }),
  ];
  const orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]];

  it('give the same row whatever order start/update/end arrive in', async () => {
    const rows = [];
    for (const order of orders) {
      const repo = (await fresh()).detections;
      for (const i of order) await repo.applyEvent(messages[i], '2026-01-01T00:00:05.000Z');
      const { createdAt: _c, updatedAt: _u, ...row } = (await repo.get('s1', 'e1'))!;
      rows.push(row);
    }
    for (const row of rows) expect(row).toEqual(rows[0]);
    expect(rows[0]).toMatchObject({ state: 'closed', confidence: 0.9, peakTime: '2026-01-01T00:00:00.700Z', windowCount: 4, alert: true, endTime: '2026-01-01T00:00:02.000Z' });
  });

  it('keeps a review and the alert flag when the sidecar arrives', async () => {
    const repo = (await fresh()).detections;
    await repo.applyEvent(ev('end', { alert: true }), 't');
    await repo.setReview('s1', 'e1', 'background', '2026-01-02T00:00:00.000Z');
    await repo.applySidecar({
      v: 1, stationId: 's1', clipId: 'e1', clipKey: 'stations/s1/2026/01/01/e1.wav', sha256: '', bytes: 1, sampleRateHz: 16000, durationSec: 1,
      clipStartTime: '', modelVersion: 'm1', source: 'mic', createdAt: '2026-01-01T00:00:03.000Z',
      detection: { eventId: 'e1', label: 'gunshot', confidence: 0.8, startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T00:00:02.000Z', peakTime: '2026-01-01T00:00:00.500Z', windowCount: 4, shotCount: 2, scores: { gunshot: 0.8 } },
    }, 't2', true);
    expect(await repo.get('s1', 'e1')).toMatchObject({ alert: true, reviewedLabel: 'background', clipAvailable: true, shotCount: 2, scores: { gunshot: 0.8 } });
  });
});
