import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { EcoSightError } from '../errors.js';

/** Data from the network (an MQTT payload, an HTTP body, a stored JSON object) does not match its schema. */
export class WireFormatError extends EcoSightError {
  constructor(message: string) {
    super('WIRE_INVALID', message);
  }
}

/**
 * Checks a value that crossed a border against its TypeBox schema before any
 * code relies on its types. Throws WireFormatError naming `what` and the first
 * problems (values are not echoed: they may be long or hostile).
 */
export function checkWire<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (Value.Check(schema, value)) return value;
  const problems = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path || '(root)'}: ${e.message}`);
  throw new WireFormatError(`${what} rejected: ${problems.join('; ')}`);
}

/** JSON text (or bytes) parsed and checked; WireFormatError when it is not JSON or not the schema. */
export function parseWire<T extends TSchema>(schema: T, raw: Buffer | string, what: string): Static<T> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch {
    throw new WireFormatError(`${what} rejected: not JSON`);
  }
  return checkWire(schema, value, what);
}
