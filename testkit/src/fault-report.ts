import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One row of the fault suite's summary table. */
export interface ScenarioResult {
  scenario: string;
  iterations: number;
  faultsInjected: number;
  itemsChecked: number;
  /** Must be 0: anything lost (alerts, clips, uploads, rows) is a failure. */
  itemsLost: number;
  /** What the scenario tried, in a few words (the attack or fault), for the table. */
  tried?: string;
  note?: string;
}

export function resultsDir(): string {
  return process.env.ECOSIGHT_FAULT_RESULTS ?? join(tmpdir(), 'ecosight-fault-results');
}

/** Records a scenario's figures for the summary printed at the end of `npm run test:faults`. */
export function recordScenario(result: ScenarioResult): void {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.scenario.replace(/[^a-z0-9]+/gi, '-')}.json`), JSON.stringify(result));
}

export function readScenarios(): ScenarioResult[] {
  try {
    return readdirSync(resultsDir()).filter((f) => f.endsWith('.json')).sort()
      .map((f) => JSON.parse(readFileSync(join(resultsDir(), f), 'utf8')) as ScenarioResult);
  } catch {
    return [];
  }
}

export function formatSummary(rows: ScenarioResult[]): string {
  const header = ['scenario', 'iterations', 'faults injected', 'items checked', 'items lost', 'what it tried'];
  const body = rows.map((r) => [r.scenario, String(r.iterations), String(r.faultsInjected), String(r.itemsChecked), String(r.itemsLost), r.tried ?? r.note ?? '']);
  const total = ['total', ...[1, 2, 3, 4].map((i) => String(body.reduce((n, r) => n + Number(r[i]), 0))), ''];
  const all = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const last = header.length - 1;
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === last ? c.padEnd(i === last ? 0 : widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), widths.map((w) => '-'.repeat(w)).join('  '), line(total)].join('\n');
}
