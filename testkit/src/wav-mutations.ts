import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { sine } from './signals.js';
import { sox } from './sox.js';

/** Real WAV files of many kinds (sox and wavefile): the seeds for mutation. */
export function seedWavs(dir: string): Buffer[] {
  const specs: string[][] = [
    ['-r', '16000', '-b', '16', '-c', '1'], ['-r', '48000', '-b', '24', '-c', '2'], ['-r', '44100', '-b', '32', '-e', 'floating-point', '-c', '1'],
    ['-r', '8000', '-b', '8', '-e', 'unsigned-integer', '-c', '1'], ['-r', '22050', '-b', '32', '-e', 'signed-integer', '-c', '4'],
  ];
  const files = specs.map((s, i) => {
    const path = join(dir, `seed-${i}.wav`);
    sox(['-n', ...s, path, 'synth', '0.3', 'sine', '440']);
    return readFileSync(path);
  });
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 32000, '32f', Array.from(sine(1000, 0.2, 32000)));
  files.push(Buffer.from(wav.toBuffer()));
  return files;
}

/** One seeded change to a WAV: truncation, bit flips, header field rewrites, splices, wrong sizes or junk. */
export function mutateWav(seed: Buffer, rand: () => number): Buffer {
  const b = Buffer.from(seed);
  const headerOffset = (): number => Math.floor(rand() * Math.min(b.length, 64));
  switch (Math.floor(rand() * 7)) {
    case 0: return b.subarray(0, Math.floor(rand() * b.length));
    case 1: {
      for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) b[headerOffset()] ^= 1 << Math.floor(rand() * 8);
      return b;
    }
    case 2: {
      // RIFF size, fmt size, data size... set to 0, 1, the streaming markers, or anything.
      const o = [4, 16, 40, headerOffset() & ~3][Math.floor(rand() * 4)];
      if (o + 4 <= b.length) b.writeUInt32LE([0, 1, 0xffffffff, 0x7fffffff, 0x80000000, Math.floor(rand() * 2 ** 32)][Math.floor(rand() * 6)], o);
      return b;
    }
    case 3: {
      // Format tag, channels, bits per sample, block align.
      const o = [20, 22, 32, 34][Math.floor(rand() * 4)];
      if (o + 2 <= b.length) b.writeUInt16LE([0, 1, 2, 3, 7, 8, 24, 64, 0xfffe, 65535][Math.floor(rand() * 10)], o);
      return b;
    }
    case 4: {
      // Sample rate: from nonsense to the edges the decoder accepts.
      if (b.length >= 28) b.writeUInt32LE([0, 1, 999, 1000, 8000, 768000, 768001, 0xffffffff][Math.floor(rand() * 8)], 24);
      return b;
    }
    case 5: return Buffer.concat([b.subarray(0, Math.floor(rand() * b.length)), randomish(rand, Math.floor(rand() * 400))]);
    default: return randomish(rand, Math.floor(rand() * 600));
  }
}

/** `n` seeded random bytes. */
export function randomish(rand: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

