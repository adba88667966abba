import { describe, expect, it } from 'vitest';
import type { LoggingAlertPayload } from '#shared/mqtt/payloads.js';
import { engineUnavailable, freshIndexes, INDEX_ENGINES } from '../support/index-engines.js';

const msg = (type: LoggingAlertPayload['type'], durationSec: number, patch: Partial<LoggingAlertPayload> = {}): LoggingAlertPayload => ({
  v: 1, type, alertId: 'lg-1', stationId: 's1', label: 'chainsaw', startTime: '2026-01-01T00:00:00.000Z',
  lastHeardTime: new Date(Date.parse('2026-01-01T00:00:00.000Z') + durationSec * 1000).toISOString(), durationSec, presentSec: durationSec * 0.8,
  peakConfidence: 0.9, meanConfidence: 0.8, onsetClipKey: type === 'start' ? 'stations/s1/2026/01/01/e1.wav' : null, onsetEventId: 'e1',
  modelVersion: 'm1', caveat: 'synthetic-only', raisedAt: '2026-01-01T00:00:21.000Z', delayed: false, sentAt: '2026-01-01T00:00:21.100Z', ...patch,
});

describe.each(INDEX_ENGINES)('LoggingRepo on %s', (engine) => {
  const unavailable = engineUnavailable(engine);
  if (unavailable) return void it.skip(unavailable);
  const fresh = freshIndexes(engine);
  it('keeps the longest duration and stays ended, whatever order start, updates and end arrive in (and twice)', async () => {
    const orders = [
      [msg('start', 20), msg('update', 50), msg('end', 95)],
      [msg('end', 95), msg('update', 50), msg('start', 20), msg('update', 50)],
      [msg('update', 50), msg('end', 95), msg('start', 20)],
    ];
    for (const order of orders) {
      const repo = (await fresh()).logging;
      for (const m of order) await repo.apply(m, '2026-01-01T00:02:00.000Z');
      expect(await repo.list(10)).toEqual([expect.objectContaining({
        alertId: 'lg-1', state: 'ended', durationSec: 95, presentSec: 76, onsetClipKey: 'stations/s1/2026/01/01/e1.wav',
        lastHeardTime: '2026-01-01T00:01:35.000Z', caveat: 'synthetic-only',
      })]);
    }
  });

  it('shows an alert as active until its end arrives', async () => {
    const repo = (await fresh()).logging;
    expect((await repo.apply(msg('start', 20), 'now')).state).toBe('active');
    expect((await repo.apply(msg('update', 50), 'now')).state).toBe('active');
  });
});
