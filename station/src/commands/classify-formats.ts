import type { OfflineDetection } from '../pipeline/offline-sink.js';

export type OutputFormat = 'table' | 'json' | 'raven';

/** JSON lines: exactly the keys file, label, startSec, endSec, confidence. */
export function formatJsonLine(d: OfflineDetection): string {
  return JSON.stringify({ file: d.file, label: d.label, startSec: round(d.startSec, 3), endSec: round(d.endSec, 3), confidence: round(d.confidence, 4) });
}

export const RAVEN_HEADER = ['Selection', 'View', 'Channel', 'Begin File', 'Begin Time (s)', 'End Time (s)', 'Low Freq (Hz)', 'High Freq (Hz)', 'Label', 'Confidence'].join('\t');

/**
 * A Raven Pro selection table row (tab-separated), the format Raven and
 * Audacity open. Frequency bounds are the front end's mel range.
 */
export function formatRavenRow(selection: number, d: OfflineDetection, lowHz: number, highHz: number): string {
  return [selection, 'Spectrogram 1', 1, d.file, round(d.startSec, 3).toFixed(3), round(d.endSec, 3).toFixed(3), lowHz, highHz, d.label, round(d.confidence, 4).toFixed(4)].join('\t');
}

export function formatTable(rows: readonly OfflineDetection[]): string {
  const header = ['file', 'label', 'start (s)', 'end (s)', 'confidence'];
  const body = rows.map((d) => [d.file, d.label, d.startSec.toFixed(2), d.endSec.toFixed(2), d.confidence.toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
