import { describe, expect, it } from 'vitest';
import { parseChronyTracking, parseTimedatectl, readSystemClock } from './clock-state.js';
import { SampleClock } from './sample-clock.js';

// Real `chronyc -c tracking` lines (chrony 4.x): an NTP server and a PPS refclock.
const CHRONY_NTP = 'C0A80101,192.168.1.1,3,1764840000.123456789,-0.000123456,0.000010000,0.000200000,-14.250,0.002,0.040,0.004000000,0.000800000,64.5,Normal\n';
const CHRONY_PPS = '50505300,PPS,1,1764840000.123456789,0.000000120,0.000000050,0.000000300,3.125,0.000,0.001,0.000001000,0.000002000,16.0,Normal\n';
const CHRONY_UNSYNC = '00000000,,0,0.000000000,0.000000000,0.000000000,0.000000000,0.000,0.000,0.000,1.000000000,1.000000000,0.0,Not synchronised\n';

describe('system clock state', () => {
  it('reads chrony: error bound = |offset| + root dispersion + root delay / 2', () => {
    expect(parseChronyTracking(CHRONY_NTP)).toEqual({ synchronized: true, source: 'ntp', estimatedErrorMs: 2.923, systemDriftPpm: -14.25 });
    expect(parseChronyTracking(CHRONY_PPS)).toMatchObject({ synchronized: true, source: 'gps-pps', systemDriftPpm: 3.125 });
    expect(parseChronyTracking(CHRONY_PPS)?.estimatedErrorMs).toBeLessThan(0.01);
    expect(parseChronyTracking(CHRONY_UNSYNC)).toMatchObject({ synchronized: false, estimatedErrorMs: null });
    expect(parseChronyTracking('garbage')).toBeUndefined();
  });

  it('falls back to timedatectl, then to unknown', async () => {
    expect(parseTimedatectl('Timezone=UTC\nNTP=yes\nNTPSynchronized=yes\n')).toMatchObject({ synchronized: true, source: 'ntp' });
    const calls: string[] = [];
    const state = await readSystemClock(async (file) => {
      calls.push(file);
      return file === 'timedatectl' ? 'NTPSynchronized=no\n' : undefined;
    });
    expect(calls).toEqual(['chronyc', 'timedatectl']);
    expect(state).toMatchObject({ synchronized: false, source: 'none' });
    expect(await readSystemClock(async () => undefined)).toMatchObject({ synchronized: null, source: 'unknown' });
  });
});

describe('SampleClock', () => {
  it('learns a 50 ppm drift and the latency from jittery chunk arrivals', () => {
    const rate = 16000;
    const start = 1_764_840_000_000;
    const clock = new SampleClock(start, rate);
    // The sound card's clock is 50 ppm slow: a sample the card calls n is captured at n / rate * (1 + 50e-6) true seconds.
    let seed = 1;
    const jitter = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 30; // 0-30 ms scheduling delay
    for (let end = 1600; end <= rate * 1200; end += 1600) {
      clock.observe({ endSample: end, arrivalMs: start + (end / rate) * 1000 * (1 + 50e-6) + 4 + jitter() });
    }
    expect(Math.abs((clock.driftPpm() ?? 0) - 50)).toBeLessThan(2);
    const s = rate * 500;
    const truth = start + (s / rate) * 1000 * (1 + 50e-6);
    // Nominal time would be 25 ms early after 500 s; the model is within the latency floor (4 ms) plus a little.
    expect(Math.abs(start + (s / rate) * 1000 - truth)).toBeGreaterThan(20);
    expect(clock.timeOf(s) - truth).toBeGreaterThan(3);
    expect(clock.timeOf(s) - truth).toBeLessThan(6);
  });

  it('uses nominal time until it has seen enough', () => {
    const clock = new SampleClock(1000, 16000);
    clock.observe({ endSample: 1600, arrivalMs: 1200 });
    expect(clock.driftPpm()).toBeNull();
    expect(clock.timeOf(16000)).toBe(2000);
  });
});
