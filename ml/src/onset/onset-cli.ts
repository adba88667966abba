import { join } from 'node:path';
import { repositoryRoot } from '#shared/model/model-package.js';
import type { Logger } from '#shared/util/logger.js';
import { formatHonest } from '../honest/honest-eval.js';
import { runOnsetTraining } from './run-onset-training.js';

/** `npm run train -- --onset [--out DIR] [--synthetic N] [--epochs N] [--members N] [--version V] [--seed N] [--cache DIR]`. */
export async function trainOnsetCli(o: {
  out?: string; synthetic?: string; members?: string; 'examples-cache'?: string; epochs?: string; version?: string; seed: number; cache?: string; logger: Logger; write: (s: string) => void;
}): Promise<void> {
  const started = Date.now();
  const outDir = o.out ?? join(repositoryRoot(), 'models', 'onset');
  const { file, report } = await runOnsetTraining({
    cacheDir: o.cache, seed: o.seed, logger: o.logger, outDir,
    version: o.version ?? `${new Date().toISOString().slice(0, 10).replaceAll('-', '.')}-onset`,
    synthetic: o.synthetic !== undefined ? Number(o.synthetic) : undefined,
    examplesCache: o['examples-cache'],
    members: o.members !== undefined ? Number(o.members) : undefined,
    net: o.epochs !== undefined ? { epochs: Number(o.epochs) } : undefined,
  });
  o.write(`onset model ${file.version} -> ${outDir} (threshold ${file.threshold.toPrecision(3)}, ${((Date.now() - started) / 60000).toFixed(1)} min)\n${formatHonest([report])}\n`);
}
