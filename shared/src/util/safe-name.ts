import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Type, type TString } from '@sinclair/typebox';
import { EcoSightError } from '../errors.js';

/**
 * Names that arrive from outside (a broker message, an HTTP body, a manifest, a
 * request path) and end up in a file path, an object key or a topic: release
 * versions, station ids, labels, event ids, file names. One strict rule for all
 * of them: starts with a letter or digit, then letters, digits, `.`, `_`, `-`,
 * never `..`, at most `maxLength` characters. No `/`, no `\`, no spaces, no
 * control or MQTT wildcard characters, so a safe name is always one path
 * segment that stays where it is put.
 */
export const SAFE_NAME_PATTERN = '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._-]*$';
const SAFE_NAME = new RegExp(SAFE_NAME_PATTERN);
/** Default longest safe name (characters). */
export const SAFE_NAME_MAX_LENGTH = 64;

/** A name, a path or a key that must not be used: it fails the safe-name rule or escapes its root. */
export class UnsafeNameError extends EcoSightError {
  constructor(message: string) {
    super('UNSAFE_NAME', message);
  }
}

/** The TypeBox schema of a safe name (use it in every schema that takes such a name). */
export function SafeName(options: { maxLength?: number; description?: string } = {}): TString {
  return Type.String({ pattern: SAFE_NAME_PATTERN, minLength: 1, maxLength: options.maxLength ?? SAFE_NAME_MAX_LENGTH, description: options.description });
}

export function isSafeName(value: unknown, maxLength = SAFE_NAME_MAX_LENGTH): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && SAFE_NAME.test(value);
}

/** Returns `value` when it is a safe name; throws UnsafeNameError naming `what` otherwise. */
export function assertSafeName(what: string, value: unknown, maxLength = SAFE_NAME_MAX_LENGTH): string {
  if (!isSafeName(value, maxLength)) throw new UnsafeNameError(`invalid ${what}: ${describe(value)} (allowed: letters, digits, '.', '_', '-', no '..', at most ${maxLength} characters)`);
  return value;
}

/**
 * Joins `segments` under `root` and proves the result is strictly inside it
 * (after resolving `.` and `..`): the second line of defence behind the name
 * check, for paths built from several parts. Throws UnsafeNameError otherwise.
 */
export function pathUnder(root: string, ...segments: string[]): string {
  const base = resolve(root);
  const full = resolve(base, ...segments);
  const rel = relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new UnsafeNameError(`path ${describe(segments.join('/'))} leaves ${base}`);
  }
  return full;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : `a ${value === null ? 'null' : typeof value}`;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
