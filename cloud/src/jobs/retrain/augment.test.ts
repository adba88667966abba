import { describe, expect, it } from 'vitest';
import { asClips, trainingStream } from './augment.js';
import type { AudioOriginal, LabelledOriginal, TrainingClip } from './ports.js';

const at = (stamp: string): LabelledOriginal[] => [
  { id: `extracted_audio/gunshot/${stamp}_shot.wav`, key: `extracted_audio/gunshot/${stamp}_shot.wav`, label: 'gunshot', source: 'upload', labelledAt: '2026-12-04T10:15:00.000Z' },
  { id: 'stations/st-1/2026/12/04/ev-1.wav', key: 'stations/st-1/2026/12/04/ev-1.wav', label: 'background', source: 'station', labelledAt: '2026-12-04T10:16:00.000Z' },
];
const audio = (o: LabelledOriginal): AudioOriginal => ({ ...o, samples: new Float32Array(1600).fill(0.1), sampleRateHz: 16000, durationSec: 0.1 });

async function clipsOf(originals: LabelledOriginal[]): Promise<TrainingClip[]> {
  const { stream } = trainingStream(originals, {
    load: async (o) => audio(o),
    augmenter: { augment: async (o) => [1, 2].map((g) => ({ samples: o.samples.map((v) => v * g), labels: [o.label] })) },
    seed: 1, backgrounds: [], skipped: () => undefined,
  });
  const out: TrainingClip[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe('training and held-out clips of a retrain', () => {
  it('are seeded by the original\'s name, not its upload-time key, so the same data uploaded again trains the same way', async () => {
    const first = await clipsOf(at('20261204_101500'));
    const again = await clipsOf(at('20261205_093012'));
    expect(first.map((c) => c.seedName)).toEqual([
      'upload:gunshot/shot.wav', 'upload:gunshot/shot.wav~1', 'upload:gunshot/shot.wav~2',
      'stations/st-1/2026/12/04/ev-1.wav', 'stations/st-1/2026/12/04/ev-1.wav~1', 'stations/st-1/2026/12/04/ev-1.wav~2',
    ]);
    expect(again.map((c) => c.seedName)).toEqual(first.map((c) => c.seedName));
    expect(again[0].id).not.toBe(first[0].id);
    expect(asClips(at('20261205_093012').map(audio)).map((c) => c.seedName)).toEqual(['upload:gunshot/shot.wav', 'stations/st-1/2026/12/04/ev-1.wav']);
  });
});
