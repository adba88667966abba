import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';
import { ConfigError } from '../errors.js';

/**
 * Fills defaults, then checks `input` against `schema`, collecting every problem
 * (path + message) before throwing one ConfigError. Unknown keys are errors
 * because schemas set additionalProperties: false.
 */
export function validateConfig<T extends TSchema>(schema: T, input: unknown, source: string): Static<T> {
  const value = Value.Default(schema, Value.Clone(input ?? {}));
  const problems = [...Value.Errors(schema, value)].map((e) => `${pathOf(e.path)}: ${messageOf(e)}`);
  const unique = [...new Set(problems)];
  if (unique.length > 0) throw new ConfigError(source, unique);
  return value as Static<T>;
}

/** Reads a YAML or JSON file into a plain object; syntax errors become ConfigError. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read file: ${(err as Error).message}`]);
  }
  try {
    const parsed: unknown = extname(path) === '.json' ? JSON.parse(text) : YAML.parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping of keys');
    return parsed;
  } catch (err) {
    throw new ConfigError(path, [`syntax: ${(err as Error).message.split('\n')[0]}`]);
  }
}

/** Sets `value` at a dotted path inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function pathOf(pointer: string): string {
  return pointer === '' ? '(root)' : pointer.slice(1).replaceAll('/', '.');
}

function messageOf(e: { message: string; value: unknown; schema: TSchema }): string {
  if (e.message.startsWith('Unexpected property')) return 'unknown key';
  const shown = typeof e.value === 'string' ? JSON.stringify(e.value) : e.value === undefined ? 'missing' : JSON.stringify(e.value);
  return `${e.message.toLowerCase()} (got ${shown})`;
}
