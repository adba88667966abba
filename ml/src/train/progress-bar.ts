import type { TrainProgress } from './types.js';

/**
 * Renders training progress: a single redrawn bar on a TTY, plain lines
 * otherwise (at most one per `minIntervalMs`, plus every epoch summary), so CI
 * logs stay readable.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr, minIntervalMs = 10_000): (p: TrainProgress) => void {
  const tty = stream.isTTY === true;
  const started = Date.now();
  let lastLine = 0;
  let lastMessage = '';
  return (p) => {
    const elapsed = (Date.now() - started) / 1000;
    const eta = p.percent > 1 ? (elapsed * (100 - p.percent)) / p.percent : NaN;
    const loss = p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : '';
    const val = p.valLoss !== undefined ? ` val ${p.valLoss.toFixed(4)}` : '';
    const epochSummary = p.valLoss !== undefined;
    if (tty) {
      const width = 30;
      const filled = Math.round((width * p.percent) / 100);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      stream.write(`\r[${bar}] ${p.percent.toFixed(1).padStart(5)}% ${p.stage}${loss}${val} ${clock(elapsed)} eta ${clock(eta)}\x1b[K`);
      if (epochSummary || p.stage === 'done') stream.write(`\r${p.message} (${clock(elapsed)})\x1b[K\n`);
      return;
    }
    const now = Date.now();
    const stageChanged = p.message !== lastMessage && (epochSummary || p.stage !== 'train');
    if (stageChanged || now - lastLine >= minIntervalMs) {
      stream.write(`[${p.percent.toFixed(1)}%] ${p.message}${epochSummary ? '' : loss} (${clock(elapsed)})\n`);
      lastLine = now;
      lastMessage = p.message;
    }
  };
}

function clock(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const m = Math.floor(sec / 60);
  const s = Math.floor(sec % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}
