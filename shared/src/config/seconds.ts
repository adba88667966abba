import { Type } from '@sinclair/typebox';

/** A duration in seconds with a default and a lower bound (config schemas). */
export const Seconds = (def: number, min = 0) => Type.Number({ minimum: min, default: def });
