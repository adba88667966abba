import { join } from 'node:path';
import { repositoryRoot } from '#shared/model/model-package.js';
import type { Logger } from '#shared/util/logger.js';
import { formatHonest } from '../honest/honest-eval.js';
import { loadOnsetModel } from '#shared/detect/onset-model.js';
import { runOnsetTraining, type OnsetTrainingOptions } from './run-onset-training.js';
import { CONFUSER_KINDS, type ConfuserKind } from '../synth/confuser-source.js';

/**
 * `npm run train -- --onset [--out DIR] [--synthetic N] [--epochs N] [--members N] [--version V] [--seed N] [--cache DIR]
 * [--examples-cache DIR] [--negative-scenes] [--confusers N [--confuser-kinds K,K]] [--jitter SAMPLES,COPIES] [--gunshot-rounds N] [--negative-passes N] [--hidden A,B] [--mine-negatives SHARE,COPIES [--mine-with DIR]]`.
 */
export async function trainOnsetCli(o: {
  out?: string; synthetic?: string; members?: string; 'examples-cache'?: string; epochs?: string; version?: string; seed: number; cache?: string;
  'gunshot-rounds'?: string; 'negative-passes'?: string; jitter?: string; 'negative-scenes'?: boolean; confusers?: string; 'confuser-kinds'?: string; hidden?: string; 'mine-negatives'?: string; 'mine-with'?: string;
  logger: Logger; write: (s: string) => void;
}): Promise<void> {
  const started = Date.now();
  const outDir = o.out ?? join(repositoryRoot(), 'models', 'onset');
  const { file, report } = await runOnsetTraining({
    cacheDir: o.cache, seed: o.seed, logger: o.logger, outDir,
    version: o.version ?? `${new Date().toISOString().slice(0, 10).replaceAll('-', '.')}-onset`,
    synthetic: o.synthetic !== undefined ? Number(o.synthetic) : undefined,
    examplesCache: o['examples-cache'],
    members: o.members !== undefined ? Number(o.members) : undefined,
    gunshotRounds: o['gunshot-rounds'] !== undefined ? count('--gunshot-rounds', o['gunshot-rounds']) : undefined,
    negativePasses: o['negative-passes'] !== undefined ? count('--negative-passes', o['negative-passes']) : undefined,
    negativeScenes: o['negative-scenes'] === true ? true : undefined,
    confusers: confusersSpec(o.confusers, o['confuser-kinds']),
    jitter: o.jitter !== undefined ? jitterSpec(o.jitter) : undefined,
    hardNegatives: await mining(o['mine-negatives'], o['mine-with']),
    net: {
      ...(o.epochs !== undefined ? { epochs: Number(o.epochs) } : {}),
      ...(o.hidden !== undefined ? { hidden: o.hidden.split(',').map((w) => count('--hidden', w)) } : {}),
    },
  });
  o.write(`onset model ${file.version} -> ${outDir} (threshold ${file.threshold.toPrecision(3)}, ${((Date.now() - started) / 60000).toFixed(1)} min)\n${formatHonest([report])}\n`);
}

/** `--mine-negatives SHARE,COPIES` (and the directory of a stage 2 to mine with, `--mine-with`), or a clear error. */
async function mining(spec: string | undefined, firstRoundDir: string | undefined): Promise<OnsetTrainingOptions['hardNegatives']> {
  if (spec === undefined) {
    if (firstRoundDir !== undefined) throw new Error('--mine-with needs --mine-negatives SHARE,COPIES');
    return undefined;
  }
  const [shareText, copiesText, ...rest] = spec.split(',');
  const share = Number(shareText);
  if (rest.length > 0 || copiesText === undefined || !(share > 0 && share <= 1)) {
    throw new Error(`--mine-negatives wants SHARE,COPIES (a share in (0, 1] and a whole number), not '${spec}'`);
  }
  return { share, copies: count('--mine-negatives', copiesText), ...(firstRoundDir !== undefined ? { firstRound: await loadOnsetModel(firstRoundDir) } : {}) };
}

/** `--confusers N` and `--confuser-kinds K,K` (names from CONFUSER_KINDS), or a clear error. */
function confusersSpec(n: string | undefined, kinds: string | undefined): OnsetTrainingOptions['confusers'] {
  if (n === undefined) {
    if (kinds !== undefined) throw new Error('--confuser-kinds needs --confusers N');
    return undefined;
  }
  if (kinds === undefined) return { count: count('--confusers', n) };
  const names = kinds.split(',');
  const unknown = names.filter((k) => !(CONFUSER_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`--confuser-kinds: unknown kind(s) ${unknown.join(', ')}; known: ${CONFUSER_KINDS.join(', ')}`);
  return { count: count('--confusers', n), kinds: names as ConfuserKind[] };
}

/** `--jitter SAMPLES,COPIES`, or a clear error. */
function jitterSpec(spec: string): { samples: number; copies: number } {
  const [samples, copies, ...rest] = spec.split(',');
  if (rest.length > 0 || copies === undefined) throw new Error(`--jitter wants SAMPLES,COPIES (two whole numbers), not '${spec}'`);
  return { samples: count('--jitter', samples), copies: count('--jitter', copies) };
}

/** A whole number of at least 1, or a clear error naming the option. */
function count(option: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option} wants whole numbers of at least 1, not '${text}'`);
  return n;
}
