import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../shared/src/audio/wav-decode.js';
import { WavFileReader } from '../../../shared/src/audio/wav-file-reader.js';
import { loadStationConfig } from '../../../shared/src/config/station-config.js';
import { AudioDecodeError, ConfigError } from '../../../shared/src/errors.js';
import { recordScenario } from '../../../shared/src/testing/fault-report.js';
import { seededRandom, sine } from '../../../shared/src/testing/signals.js';
import { sox } from '../../../shared/src/testing/sox.js';
import { tempDir } from '../helpers.js';

const CASES = Number(process.env.ECOSIGHT_FUZZ_CASES ?? 3000);

/** Real WAV files of many kinds (sox and wavefile), the seeds for mutation. */
function seedFiles(dir: string): Buffer[] {
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

/** One seeded mutation: truncation, bit flips, header field rewrites, splices, or garbage. */
function mutate(seed: Buffer, rand: () => number): Buffer {
  const b = Buffer.from(seed);
  const pick = Math.floor(rand() * 6);
  const headerOffset = (): number => Math.floor(rand() * Math.min(b.length, 64));
  switch (pick) {
    case 0: return b.subarray(0, Math.floor(rand() * b.length));
    case 1: {
      for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) b[headerOffset()] ^= 1 << Math.floor(rand() * 8);
      return b;
    }
    case 2: {
      const o = headerOffset() & ~3;
      if (o + 4 <= b.length) b.writeUInt32LE([0, 1, 0xffffffff, 0x7fffffff, Math.floor(rand() * 2 ** 32)][Math.floor(rand() * 5)], o);
      return b;
    }
    case 3: {
      const o = 20 + Math.floor(rand() * 16);
      if (o + 2 <= b.length) b.writeUInt16LE([0, 1, 3, 7, 0xfffe, 65535, 64, 3][Math.floor(rand() * 8)], o);
      return b;
    }
    case 4: return Buffer.concat([b.subarray(0, Math.floor(rand() * b.length)), Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)))]);
    default: return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
  }
}

describe('fuzzing the inputs a station accepts', () => {
  it(`decodes or cleanly refuses ${CASES} mutated real WAV files: no crash, no hang, bounded memory`, async () => {
    const dir = tempDir();
    const seeds = seedFiles(dir);
    const rand = seededRandom(777);
    let refused = 0;
    let decoded = 0;
    let unexpected: string[] = [];
    let slowest = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = 0;
    for (let i = 0; i < CASES; i++) {
      const input = mutate(seeds[i % seeds.length], rand);
      const started = performance.now();
      try {
        const out = decodeWav(input);
        if (!out.samples.every(Number.isFinite)) unexpected.push(`case ${i}: non-finite samples`);
        decoded++;
      } catch (err) {
        if (err instanceof AudioDecodeError) refused++;
        else unexpected.push(`case ${i}: ${(err as Error).name}: ${(err as Error).message}`);
      }
      // The streaming reader must agree (every 10th case, through a real file).
      if (i % 10 === 0) {
        const path = join(dir, 'case.wav');
        writeFileSync(path, input);
        try {
          for await (const chunk of new WavFileReader(path).chunks(0.5)) if (!chunk.every(Number.isFinite)) unexpected.push(`case ${i}: reader gave non-finite samples`);
        } catch (err) {
          if (!(err instanceof AudioDecodeError)) unexpected.push(`case ${i}: reader threw ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      slowest = Math.max(slowest, performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    unexpected = [...new Set(unexpected)];
    recordScenario({ scenario: 'WAV decoder fuzz', iterations: CASES, faultsInjected: CASES, itemsChecked: decoded + refused, itemsLost: unexpected.length });
    expect(unexpected).toEqual([]);
    expect(refused).toBeGreaterThan(CASES / 4);
    expect(decoded).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(2000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    expect(peakRss).toBeLessThan(1024 * 1024 * 1024);
  }, 300_000);

  it('answers every malformed config with one clear message per problem, naming its path', () => {
    const dir = tempDir();
    const valid = { stationId: 'st-1', dataDir: dir, source: { type: 'folder', path: dir }, mqtt: { url: 'mqtt://127.0.0.1:1883' }, clips: { preRollSec: 1 } };
    const mutations: Array<[string, (c: Record<string, unknown>) => void, RegExp]> = [
      ['wrong type', (c) => { (c.clips as Record<string, unknown>).preRollSec = 'two'; }, /clips\.preRollSec/],
      ['negative number', (c) => { (c.clips as Record<string, unknown>).preRollSec = -1; }, /clips\.preRollSec/],
      ['unknown key at the top', (c) => { c.statoinId = 'typo'; }, /statoinId: unknown key/],
      ['unknown nested key', (c) => { (c.mqtt as Record<string, unknown>).prefx = 'x'; }, /mqtt\.prefx: unknown key/],
      ['bad enum', (c) => { (c.source as Record<string, unknown>).type = 'radio'; }, /source\.type/],
      ['missing required path', (c) => { (c.source as Record<string, unknown>).path = ''; }, /source\.path: required/],
      ['bad station id', (c) => { c.stationId = '../etc'; }, /stationId/],
      ['bad mqtt url', (c) => { (c.mqtt as Record<string, unknown>).url = 'http://x'; }, /mqtt\.url/],
      ['wrong type for a section', (c) => { c.upload = 'yes'; }, /upload/],
      ['array instead of object', (c) => { c.detection = [1, 2]; }, /detection/],
    ];
    let clear = 0;
    const failures: string[] = [];
    for (const [what, change, pattern] of mutations) {
      const config = structuredClone(valid) as Record<string, unknown>;
      change(config);
      const path = join(dir, `${what.replace(/\W+/g, '-')}.json`);
      writeFileSync(path, JSON.stringify(config));
      try {
        loadStationConfig(path, {});
        failures.push(`${what}: accepted`);
      } catch (err) {
        if (!(err instanceof ConfigError)) failures.push(`${what}: threw ${(err as Error).name}`);
        else if (!err.problems.some((p) => pattern.test(p))) failures.push(`${what}: no problem matching ${pattern} in ${JSON.stringify(err.problems)}`);
        else clear++;
      }
    }
    // Several problems at once are all listed.
    const many = structuredClone(valid) as Record<string, unknown>;
    mutations.slice(0, 4).forEach(([, change]) => change(many));
    writeFileSync(join(dir, 'many.json'), JSON.stringify(many));
    try {
      loadStationConfig(join(dir, 'many.json'), {});
    } catch (err) {
      if (!(err instanceof ConfigError) || err.problems.length < 3) failures.push(`several problems: ${(err as ConfigError).problems?.length ?? 0} listed`);
    }
    recordScenario({ scenario: 'config fuzz', iterations: mutations.length + 1, faultsInjected: mutations.length + 4, itemsChecked: clear, itemsLost: failures.length });
    expect(failures).toEqual([]);
  });
});
