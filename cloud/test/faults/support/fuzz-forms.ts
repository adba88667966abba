import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { sine } from '../../../../shared/src/testing/signals.js';
import { sox } from '../../../../shared/src/testing/sox.js';

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

/**
 * A real, valid WAV that is small on the wire but large once decoded: 8-bit
 * mono at 1 kHz, `bytes` long (one byte per sample; 16x more samples at 16 kHz).
 */
export function lowRateLongWav(dir: string, bytes: number): Buffer {
  const path = join(dir, 'low-rate-long.wav');
  sox(['-n', '-r', '1000', '-b', '8', '-e', 'unsigned-integer', '-c', '1', path, 'synth', String(bytes / 1000), 'sine', '100']);
  return readFileSync(path);
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

function randomish(rand: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
}

/** A request for POST /upload or /predict, as bytes. */
export interface FuzzRequest {
  kind: string;
  contentType: string;
  body: Buffer;
  /** The bytes of the file part (what a 200 must have stored). */
  file: Buffer;
  /** The form is well formed with a known class: the answer depends on the WAV alone (the decode oracle). */
  wellFormed: boolean;
}

type Part = { name: string; value: string } | { name: string; filename: string; content: Buffer; contentType?: string };

function encode(parts: Part[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('value' in p) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType ?? 'audio/wav'}\r\n\r\n`));
      chunks.push(p.content, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const CLASSES = ['gunshot', 'background', 'chainsaw'];
const WEIRD_CLASSES = ['', ' ', 'GUNSHOT', 'gunshot ', 'gun shot', '../gunshot', '..', '.', 'gunshot/../background', 'gunshot\\x', 'a'.repeat(5000), 'gunshot\u0000', 'ωδή', '%2e%2e%2fgunshot', 'dog'];
const WEIRD_NAMES = ['', '.wav', '..wav', '...', '../../etc/passwd', '..\\..\\boot.ini', 'C:\\x.wav', '/abs/path.wav', 'ünïcödé 🎵.wav', 'x'.repeat(400) + '.wav', 'a\u0000b.wav', 'quote\\"d.wav', '.hidden.wav', 'con.wav', 'a;rm -rf.wav', '%2e%2e%2f.wav'];

/**
 * A seeded case: mostly good forms carrying a mutated WAV, and the rest
 * malformed forms (field order, duplicates, wrong names, truncation,
 * boundary mismatches, wrong content types, odd names and labels).
 */
export function fuzzRequest(seeds: Buffer[], rand: () => number): FuzzRequest {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const boundary = `----fuzz${randomBytes(6).toString('hex')}`;
  const multipart = `multipart/form-data; boundary=${boundary}`;
  const seed = pick(seeds);
  const file = rand() < 0.15 ? seed : mutateWav(seed, rand);
  const className = pick(CLASSES);
  const good: Part[] = [{ name: 'class', value: className }, { name: 'file', filename: 'clip.wav', content: file }];
  const r = rand();
  if (r < 0.6) return { kind: 'mutated wav', contentType: multipart, body: encode(good, boundary), file, wellFormed: true };
  if (r < 0.65) return { kind: 'file before class', contentType: multipart, body: encode([good[1], good[0]], boundary), file, wellFormed: true };
  const variants: Array<() => Omit<FuzzRequest, 'file' | 'wellFormed'>> = [
    () => ({ kind: 'two class fields', contentType: multipart, body: encode([good[0], { name: 'class', value: pick(WEIRD_CLASSES) }, good[1]], boundary) }),
    () => ({ kind: 'two files', contentType: multipart, body: encode([good[0], good[1], { ...good[1], filename: 'second.wav' } as Part], boundary) }),
    () => ({ kind: 'file under another name', contentType: multipart, body: encode([good[0], { ...good[1], name: pick(['audio', 'files[]', '', 'FILE']) } as Part], boundary) }),
    () => ({ kind: 'class sent as a file', contentType: multipart, body: encode([{ name: 'class', filename: 'c.txt', content: Buffer.from(className), contentType: 'text/plain' }, good[1]], boundary) }),
    () => ({ kind: 'file sent as a field', contentType: multipart, body: encode([good[0], { name: 'file', value: file.toString('latin1') }], boundary) }),
    () => ({ kind: 'missing class', contentType: multipart, body: encode([good[1]], boundary) }),
    () => ({ kind: 'missing file', contentType: multipart, body: encode([good[0]], boundary) }),
    () => ({ kind: 'no closing boundary', contentType: multipart, body: encode(good, boundary).subarray(0, -(boundary.length + 6)) }),
    () => {
      const body = encode(good, boundary);
      return { kind: 'body cut short', contentType: multipart, body: body.subarray(0, Math.floor(rand() * body.length)) };
    },
    () => ({ kind: 'boundary mismatch', contentType: `multipart/form-data; boundary=${boundary}x`, body: encode(good, boundary) }),
    () => ({ kind: 'no boundary', contentType: 'multipart/form-data', body: encode(good, boundary) }),
    () => ({ kind: 'wrong content type', contentType: pick(['application/json', 'text/plain', 'application/octet-stream', 'audio/wav', 'multipart/mixed; boundary=' + boundary, 'application/x-www-form-urlencoded', '']), body: encode(good, boundary) }),
    () => ({ kind: 'odd file name', contentType: multipart, body: encode([good[0], { ...good[1], filename: pick(WEIRD_NAMES) } as Part], boundary) }),
    () => ({ kind: 'odd class', contentType: multipart, body: encode([{ name: 'class', value: pick(WEIRD_CLASSES) }, good[1]], boundary) }),
    () => ({ kind: 'many fields', contentType: multipart, body: encode([...Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'x' })), ...good], boundary) }),
    () => ({ kind: 'junk part headers', contentType: multipart, body: Buffer.concat([Buffer.from(`--${boundary}\r\nX-Junk: ${'y'.repeat(Math.floor(rand() * 20000))}\r\n\r\nzzz\r\n`), encode(good, boundary)]) }),
    () => ({ kind: 'junk body', contentType: multipart, body: randomish(rand, Math.floor(rand() * 4000)) }),
    () => ({ kind: 'empty body', contentType: multipart, body: Buffer.alloc(0) }),
  ];
  return { ...pick(variants)(), file, wellFormed: false };
}
