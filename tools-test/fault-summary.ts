import { rmSync } from 'node:fs';
import { formatSummary, readScenarios, resultsDir } from '#testkit/fault-report.js';

/** vitest globalSetup for the fault suite: fresh results before, the summary table after. */
export function setup(): void {
  process.env.ECOSIGHT_FAULT_RESULTS = resultsDir();
  rmSync(resultsDir(), { recursive: true, force: true });
}

export function teardown(): void {
  const rows = readScenarios();
  process.stdout.write(`\nEcoSight fault and load suite\n${formatSummary(rows)}\n`);
  const lost = rows.reduce((n, r) => n + r.itemsLost, 0);
  if (lost > 0) process.stdout.write(`\n${lost} item(s) LOST\n`);
}
