import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sox } from '#testkit/sox.js';
import { mutateWav, randomish } from '#testkit/wav-mutations.js';

export { mutateWav, seedWavs } from '#testkit/wav-mutations.js';

/**
 * A real, valid WAV that is small on the wire but large once decoded: 8-bit
 * mono at 1 kHz, `bytes` long (one byte per sample; 16x more samples at 16 kHz).
 */
export function lowRateLongWav(dir: string, bytes: number): Buffer {
  const path = join(dir, 'low-rate-long.wav');
  sox(['-n', '-r', '1000', '-b', '8', '-e', 'unsigned-integer', '-c', '1', path, 'synth', String(bytes / 1000), 'sine', '100']);
  return readFileSync(path);
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
