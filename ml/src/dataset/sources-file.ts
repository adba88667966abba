import { readFile } from 'node:fs/promises';
import { isClassName, type ClassName } from './classes.js';
import { DatasetFileError } from './dataset-error.js';
import { archiveSeparatorIndex } from './archives/formats.js';
import { globToRegExp } from './path-glob.js';

/**
 * What a matched file is used for. `background` files are ambient beds that
 * training may also mix synthesized gunshots into; `exclude` drops files that an
 * earlier, broader row matched (doubtful labels, duplicates, non-audio).
 */
export type SourceRole = 'train' | 'background' | 'exclude';

/** One row of `data/sources.tsv` or `data/eval-sources.tsv`. */
export interface SourceRow {
  package: string;
  /**
   * Path inside the extracted package (relative, `/`-separated) or a glob over
   * such paths. `archive.rcc!member-glob` selects files inside a container
   * (Qt resources, zip/pk3, ASC, OpenClonk groups, Liero sound banks, SoundFonts:
   * see `archives/formats.ts`).
   */
  pathPattern: string;
  labels: ClassName[];
  role: SourceRole;
  licence: string;
  note: string;
  /** 1-based line number in the file, for messages. */
  line: number;
}

/** Which packages a list may name. */
export interface SourceListPolicy {
  /** When set, every package must be in it. */
  allowedPackages?: ReadonlySet<string>;
  /** No package may be in it. */
  forbiddenPackages?: ReadonlySet<string>;
}

export const SOURCE_LIST_COLUMNS = ['package', 'path_in_package', 'labels', 'role', 'licence', 'note'] as const;

const ROLES: ReadonlySet<string> = new Set(['train', 'background', 'exclude']);
const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/u;

export async function readSourceList(path: string, policy: SourceListPolicy = {}): Promise<SourceRow[]> {
  return parseSourceList(await readFile(path, 'utf8'), path, policy);
}

/**
 * Parses a tab-separated source list: `#` comments and blank lines are skipped,
 * the first other line is the header. Every problem is collected, then thrown
 * together as one DatasetFileError.
 */
export function parseSourceList(text: string, origin: string, policy: SourceListPolicy = {}): SourceRow[] {
  const problems: string[] = [];
  const rows: SourceRow[] = [];
  let columns: Map<string, number> | undefined;
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r$/u, '');
    if (content.trim() === '' || content.startsWith('#')) return;
    const fields = content.split('\t');
    if (!columns) {
      columns = parseHeader(fields, problems);
      return;
    }
    if (fields.length !== columns.size) {
      problems.push(`line ${line}: expected ${columns.size} tab-separated fields, found ${fields.length}`);
      return;
    }
    const cols = columns;
    const get = (name: string): string => fields[cols.get(name) ?? 0].trim();
    const row = parseRow(get, line, policy, problems);
    const key = `${get('package')}\t${get('path_in_package')}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push(`line ${line}: same package and path as line ${earlier}`);
    seen.set(key, line);
    if (row) rows.push(row);
  });
  if (!columns) problems.push(`no header line (expected: ${SOURCE_LIST_COLUMNS.join(', ')})`);
  if (problems.length > 0) throw new DatasetFileError(origin, problems);
  return rows;
}

/** Splits `archive.pk3!member` (any container of `archives/formats.ts`) into its parts; plain paths have no archive. */
export function splitArchivePattern(pattern: string): { archive?: string; member: string } {
  const end = archiveSeparatorIndex(pattern);
  if (end < 0) return { member: pattern };
  return { archive: pattern.slice(0, end), member: pattern.slice(end + 1) };
}

function parseHeader(fields: string[], problems: string[]): Map<string, number> {
  const columns = new Map<string, number>();
  fields.forEach((name, i) => columns.set(name.trim(), i));
  const expected = new Set<string>(SOURCE_LIST_COLUMNS);
  const missing = SOURCE_LIST_COLUMNS.filter((c) => !columns.has(c));
  const unknown = [...columns.keys()].filter((c) => !expected.has(c));
  if (missing.length > 0 || unknown.length > 0) {
    problems.push(`header: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]; expected ${SOURCE_LIST_COLUMNS.join(', ')}`);
  }
  return columns;
}

function parseRow(get: (name: string) => string, line: number, policy: SourceListPolicy, problems: string[]): SourceRow | undefined {
  const before = problems.length;
  const pkg = get('package');
  if (!DEBIAN_PACKAGE_NAME.test(pkg)) problems.push(`line ${line}: "${pkg}" is not a Debian package name`);
  if (policy.allowedPackages && !policy.allowedPackages.has(pkg)) {
    problems.push(`line ${line}: package ${pkg} is not in the allowed list for this file`);
  }
  if (policy.forbiddenPackages?.has(pkg)) problems.push(`line ${line}: package ${pkg} may not be used in this file`);
  const pathPattern = get('path_in_package');
  checkPathPattern(pathPattern, line, problems);
  const labels = parseLabels(get('labels'), line, problems);
  const role = get('role');
  if (!ROLES.has(role)) problems.push(`line ${line}: role "${role}" must be train, background or exclude`);
  if (role === 'exclude' && labels.length > 0) problems.push(`line ${line}: an exclude row cannot carry labels`);
  const licence = get('licence');
  if (licence === '') problems.push(`line ${line}: licence is empty`);
  if (problems.length > before) return undefined;
  return { package: pkg, pathPattern, labels, role: role as SourceRole, licence, note: get('note'), line };
}

function parseLabels(field: string, line: number, problems: string[]): ClassName[] {
  if (field === '') return [];
  const labels: ClassName[] = [];
  for (const part of field.split(',').map((s) => s.trim())) {
    if (!isClassName(part)) problems.push(`line ${line}: unknown class "${part}"`);
    else if (labels.includes(part)) problems.push(`line ${line}: class "${part}" listed twice`);
    else labels.push(part);
  }
  return labels;
}

function checkPathPattern(pattern: string, line: number, problems: string[]): void {
  if (pattern === '') {
    problems.push(`line ${line}: path_in_package is empty`);
    return;
  }
  const { archive, member } = splitArchivePattern(pattern);
  for (const part of archive === undefined ? [member] : [archive, member]) {
    if (part === '' || part.startsWith('/') || part.startsWith('./') || part.includes('\\') || part.split('/').includes('..')) {
      problems.push(`line ${line}: "${pattern}" must be a relative path inside the package (no leading "/", "./" or "..")`);
      return;
    }
  }
  if (archiveSeparatorIndex(member) >= 0) problems.push(`line ${line}: "${pattern}" nests one archive in another`);
  if (archive !== undefined && /[*?[\]{}]/u.test(archive)) {
    problems.push(`line ${line}: the archive path before "!" must be exact (no glob)`);
  }
  try {
    globToRegExp(member);
  } catch (err) {
    problems.push(`line ${line}: ${(err as Error).message}`);
  }
}
