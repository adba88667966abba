/**
 * The station's time source. The one Clock interface lives in shared (the test
 * clock in testkit implements it too); stages import it from here, beside the
 * other types every folder shares.
 */
export { sleep, systemClock, type Clock } from '#shared/util/clock.js';
