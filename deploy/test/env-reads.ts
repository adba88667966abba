import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Where an environment variable is read: `file:line`, relative to the scan root. */
export type EnvReads = Map<string, string[]>;

// Environment variable names by convention; keeps `env.get`-style calls out.
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Test code and test harnesses are not what a deployment runs. */
export function isTestFile(path: string): boolean {
  return /\.test\.ts$/.test(path) || /(^|\/)(test|testing|testkit|__tests__)\//.test(path);
}

/** Every non-test `.ts` file under `dir` (sorted; empty when `dir` does not exist yet). */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts') && !isTestFile(path)) out.push(path);
  }
  return out;
}

/**
 * The files a program made of `entries` can load: the entries plus everything
 * reachable through relative static imports, the project's own subpath imports
 * (`#shared/...`), re-exports and `import('...')` with a literal specifier. Other
 * package imports are not followed. Test files are skipped.
 */
export function reachableFiles(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(e));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file) || isTestFile(file)) continue;
    seen.add(file);
    for (const spec of importSpecifiers(parse(file))) {
      const target = resolveRelative(file, spec);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen].sort();
}

/**
 * Environment variables read by `files` with a name known at compile time:
 * `process.env.NAME`, `env.NAME` (any expression ending in `env`),
 * `process.env['NAME']`, `const { NAME } = process.env` and `'NAME' in env`.
 * Computed reads such as `env[name]` cannot be resolved here; the config modules
 * that do that publish their variable tables (CLOUD_ENV, STATION_ENV) instead.
 */
export function findEnvReads(files: string[], root: string): EnvReads {
  const reads: EnvReads = new Map();
  for (const file of files) {
    const source = parse(file);
    const note = (name: string, node: ts.Node): void => {
      if (!ENV_NAME.test(name)) return;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const where = `${relative(root, file)}:${line}`;
      reads.set(name, [...(reads.get(name) ?? []), where]);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && isEnvObject(node.expression)) {
        note(node.name.text, node);
      } else if (ts.isElementAccessExpression(node) && isEnvObject(node.expression)) {
        const arg = node.argumentExpression;
        if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) note(arg.text, node);
      } else if (ts.isVariableDeclaration(node) && node.initializer && isEnvObject(node.initializer) && ts.isObjectBindingPattern(node.name)) {
        for (const element of node.name.elements) {
          const key = element.propertyName ?? element.name;
          if (ts.isIdentifier(key) || ts.isStringLiteral(key)) note(key.text, element);
        }
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InKeyword && isEnvObject(node.right)) {
        if (ts.isStringLiteral(node.left)) note(node.left.text, node);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return reads;
}

// `process.env`, `env`, `options.env`, `this.env`: anything whose last name is `env`.
function isEnvObject(expr: ts.Expression): boolean {
  const inner = skipWrappers(expr);
  if (ts.isIdentifier(inner)) return inner.text === 'env';
  if (ts.isPropertyAccessExpression(inner)) return inner.name.text === 'env';
  return false;
}

function skipWrappers(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function importSpecifiers(source: ts.SourceFile): string[] {
  const specs: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) specs.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs.filter((s) => s.startsWith('.') || s.startsWith('#'));
}

/** The project's own subpath imports (package.json "imports"), as sources. */
const SUBPATH_ROOTS: Readonly<Record<string, string>> = { '#shared/': 'shared/src/', '#ml/': 'ml/src/', '#testkit/': 'testkit/src/' };
const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

// NodeNext sources import `./x.js` for `./x.ts`.
function resolveRelative(from: string, spec: string): string | undefined {
  const alias = Object.keys(SUBPATH_ROOTS).find((prefix) => spec.startsWith(prefix));
  if (!alias && !spec.startsWith('.')) return undefined;
  const base = alias ? resolve(REPO_ROOT, SUBPATH_ROOTS[alias] + spec.slice(alias.length)) : resolve(dirname(from), spec);
  const candidates = [base.replace(/\.(m|c)?js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
}
