/** Injectable time source (tests move time; the product uses the system clock). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
