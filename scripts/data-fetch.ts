/**
 * `npm run data:fetch`: builds the training/evaluation audio set from Debian
 * packages (see data/README.md). Thin CLI over ml/src/dataset/fetch.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeError } from '#shared/errors.js';
import { DatasetFileError } from '#ml/dataset/dataset-error.js';
import { AptGetDownloader } from '#ml/dataset/fetch/deb-cache.js';
import { fetchDataset, type FetchEvent, type SourceList } from '#ml/dataset/fetch/fetch-dataset.js';
import { defaultCacheDir } from '#ml/dataset/index-file.js';
import { readSourceList } from '#ml/dataset/sources-file.js';
import { formatSummary, summarizeDataset } from '#ml/dataset/summary.js';
import { TRAINING_PACKAGES } from '#ml/dataset/training-packages.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/scripts/ -> repository root

const HELP = `Usage: npm run data:fetch -- [options]

Downloads the Debian packages named in the source lists with \`apt-get download\`
(no install), extracts them with \`dpkg-deb -x\`, converts the chosen files to
16 kHz mono 16-bit WAV with sox, leaves out second copies of a recording (found
by audio content; listed in <cache>/duplicates.tsv) and writes <cache>/index.tsv.
Steps whose output is already cached are skipped, so a second run downloads and
converts nothing.

Options:
  --cache DIR          cache directory (default: $ECOSIGHT_DATA_CACHE, else ~/.cache/ecosight/data)
  --sources FILE       training/validation list (default: data/sources.tsv)
  --eval-sources FILE  independent evaluation list (default: data/eval-sources.tsv)
  --no-eval            leave the evaluation packages out of this run and of the index
  --jobs N             parallel sox conversions (default: number of CPUs)
  --quiet              print only problems and the summary
  -h, --help           show this text

Exit status: 0 success, 1 a package failed (nothing written to the index),
2 bad arguments or an invalid source list.
`;

interface CliOptions {
  cacheDir: string;
  sources: string;
  evalSources?: string;
  jobs: number;
  quiet: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cache: { type: 'string' },
      sources: { type: 'string' },
      'eval-sources': { type: 'string' },
      'no-eval': { type: 'boolean', default: false },
      jobs: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs must be a positive integer');
  return {
    cacheDir: values.cache ?? defaultCacheDir(),
    sources: values.sources ?? `${REPO_ROOT}data/sources.tsv`,
    evalSources: values['no-eval'] ? undefined : values['eval-sources'] ?? `${REPO_ROOT}data/eval-sources.tsv`,
    jobs,
    quiet: values.quiet,
  };
}

class UsageError extends Error {}

async function loadLists(opts: CliOptions): Promise<SourceList[]> {
  const lists: SourceList[] = [{ rows: await readSourceList(opts.sources, { allowedPackages: TRAINING_PACKAGES }), split: 'train' }];
  if (opts.evalSources) {
    lists.push({ rows: await readSourceList(opts.evalSources, { forbiddenPackages: TRAINING_PACKAGES }), split: 'eval' });
  }
  return lists;
}

function printEvent(event: FetchEvent, quiet: boolean): void {
  const say = (line: string): void => {
    if (!quiet) console.error(line);
  };
  switch (event.type) {
    case 'package-start': say(`${event.package} (${event.split}):`); break;
    case 'downloaded': say(`  downloaded ${event.debPath}`); break;
    case 'extracted': say(`  extracted to ${event.dir}`); break;
    case 'file-skipped': console.error(`  skipped ${event.package}: ${event.sourcePath}: ${event.reason}`); break;
    case 'package-done': {
      const r = event.report;
      say(`  ${r.files} files, ${(r.durationSec / 60).toFixed(1)} min (${r.converted} converted, ${r.cached} cached, ${r.skipped} unreadable)`);
      break;
    }
    case 'package-failed': console.error(`  FAILED ${event.failure.package}: ${event.failure.reason}`); break;
  }
}

async function main(): Promise<number> {
  let opts: CliOptions | 'help';
  let lists: SourceList[];
  try {
    opts = parseCli(process.argv.slice(2));
    if (opts === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    lists = await loadLists(opts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (err instanceof UsageError || err instanceof DatasetFileError || code.startsWith('ERR_PARSE_ARGS') || code === 'ENOENT') {
      console.error(`data:fetch: ${describeError(err)}`);
      if (err instanceof UsageError) console.error('Try --help.');
      return 2;
    }
    throw err;
  }
  const cliOpts = opts;
  if (!cliOpts.quiet) console.error(`cache: ${cliOpts.cacheDir}`);
  const startedMs = Date.now();
  const report = await fetchDataset({
    cacheDir: cliOpts.cacheDir,
    lists,
    downloader: new AptGetDownloader(),
    jobs: cliOpts.jobs,
    onEvent: (e) => printEvent(e, cliOpts.quiet),
  });
  const p = report.packages;
  console.log(formatSummary(summarizeDataset(report.records)));
  console.log('');
  console.log(`packages: ${p.length} ok, ${report.failures.length} failed; downloads: ${p.filter((x) => x.downloaded).length}, `
    + `extractions: ${p.filter((x) => x.extracted).length}, conversions: ${p.reduce((s, x) => s + x.converted, 0)}, `
    + `unreadable files skipped: ${report.skipped.length}; ${((Date.now() - startedMs) / 1000).toFixed(0)} s`);
  if (report.failures.length > 0) {
    console.error(`\ndata:fetch failed; ${report.indexPath} was not updated:`);
    for (const f of report.failures) console.error(`  - ${f.package}: ${f.reason}`);
    return 1;
  }
  console.log(`duplicates: ${report.duplicates.length} second copies of a recording left out (${describeDuplicates(report.duplicates)}); `
    + 'list in duplicates.tsv beside the index');
  console.log(`index: ${report.indexPath} (${report.indexWritten ? 'written' : 'unchanged'}, ${report.records.length} files)`);
  return 0;
}

/** "a -> b: n" per pair of packages, most first. */
function describeDuplicates(dups: ReadonlyArray<{ dropped: { package: string }; keptAs: { package: string } }>): string {
  const pairs = new Map<string, number>();
  for (const d of dups) {
    const key = d.dropped.package === d.keptAs.package ? `within ${d.keptAs.package}` : `${d.dropped.package} copy of ${d.keptAs.package}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  return [...pairs.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`data:fetch: ${describeError(err)}`);
    process.exitCode = 1;
  },
);
