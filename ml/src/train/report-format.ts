import type { EvaluationReport } from './metrics.js';

/** The report as fixed-width text tables: per-class metrics, long-audio metrics, confusion matrix. */
export function formatReport(r: EvaluationReport): string {
  const lines: string[] = [];
  lines.push(`model ${r.modelVersion}: ${r.windows} windows`);
  lines.push('');
  const header = ['class', 'threshold', 'positives', 'precision', 'recall', 'F1', 'AP'];
  const rows = r.perClass.map((m) => [m.name, fmt(m.threshold, 3), String(m.positives), fmt(m.precision), fmt(m.recall), fmt(m.f1), fmt(m.averagePrecision)]);
  rows.push(['macro F1', '', '', '', '', fmt(r.macroF1), '']);
  lines.push(...table(header, rows));
  if (r.longAudio) {
    const l = r.longAudio;
    lines.push('');
    lines.push(`${l.className} on long audio (threshold ${fmt(l.threshold, 3)}, onset collar ${l.onsetCollarSec} s):`);
    lines.push(`  false alarms: ${l.falseAlarms} in ${l.hours.toFixed(2)} h = ${l.falseAlarmsPerHour.toFixed(2)} per hour`);
    lines.push(`  event recall: ${l.detectedEvents}/${l.events} = ${fmt(l.eventRecall)}`);
    if (l.overlappedEvents !== undefined && l.events > 0) {
      lines.push(`  events with any detection on them (onset or not): ${l.overlappedEvents}/${l.events} = ${fmt(l.overlappedEvents / l.events)}`);
    }
  }
  lines.push('');
  lines.push('confusion (rows: dominant true label, columns: top predicted label at threshold):');
  const short = r.confusion.labels.map((l) => l.slice(0, 7));
  lines.push(...table(['true \\ pred', ...short], r.confusion.labels.map((l, i) => [l, ...r.confusion.counts[i].map(String)])));
  for (const note of r.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function fmt(x: number | null, digits = 3): string {
  return x === null || Number.isNaN(x) ? '-' : x.toFixed(digits);
}
