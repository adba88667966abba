import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { WavFileReader } from '#shared/audio/wav-file-reader.js';
import { loadStationConfig } from '#shared/config/station-config.js';
import { AudioDecodeError, ConfigError } from '#shared/errors.js';
import { recordScenario } from '#testkit/fault-report.js';
import { seededRandom } from '#testkit/signals.js';
import { mutateWav, seedWavs } from '#testkit/wav-mutations.js';
import { tempDir } from '../helpers.js';

const CASES = Number(process.env.ECOSIGHT_FUZZ_CASES ?? 3000);

describe('fuzzing the inputs a station accepts', () => {
  it(`decodes or cleanly refuses ${CASES} mutated real WAV files: no crash, no hang, bounded memory`, async () => {
    const dir = tempDir();
    const seeds = seedWavs(dir);
    const rand = seededRandom(777);
    let refused = 0;
    let decoded = 0;
    let unexpected: string[] = [];
    let slowest = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = 0;
    for (let i = 0; i < CASES; i++) {
      const input = mutateWav(seeds[i % seeds.length], rand);
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
