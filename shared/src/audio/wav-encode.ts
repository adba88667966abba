import wavefile from 'wavefile';

/** Encodes mono float samples in [-1, 1] as a 16-bit PCM WAV file (clips, fixtures). */
export function encodeWav16(samples: Float32Array, sampleRateHz: number): Uint8Array {
  const ints = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    ints[i] = Math.round(s < 0 ? s * 32768 : s * 32767);
  }
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRateHz, '16', ints);
  return wav.toBuffer();
}
