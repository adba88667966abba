import type { AudioOriginal } from './ports.js';

/**
 * Audio per chunk of stage 2's originals, samples (3 minutes at 16 kHz): placed
 * with its gaps a chunk makes a forest stream of about 5-8 minutes, whose
 * floor, stream and features peak near 100 MB; bigger chunks cost memory, not speed.
 */
export const CHUNK_SAMPLES = 3 * 60 * 16000;
/** ... and originals per chunk (each adds 2-8 s of floor). */
export const CHUNK_ORIGINALS = 60;

/**
 * Groups originals, in order, into chunks of at most CHUNK_ORIGINALS
 * originals or CHUNK_SAMPLES samples (the chunk that reaches either bound
 * ends there): the training and the evaluation of stage 2 both work a chunk
 * at a time, so memory stays bounded whatever the number of originals.
 */
export class OriginalChunks {
  private chunk: AudioOriginal[] = [];
  private samples = 0;

  /** Adds the next original; returns the chunk it completes, if it does. */
  add(o: AudioOriginal): AudioOriginal[] | undefined {
    this.chunk.push(o);
    this.samples += o.lengthSamples ?? o.samples.length;
    if (this.chunk.length < CHUNK_ORIGINALS && this.samples < CHUNK_SAMPLES) return undefined;
    return this.rest();
  }

  /** The chunk begun so far (empty when none) and a fresh start. */
  rest(): AudioOriginal[] {
    const chunk = this.chunk;
    this.chunk = [];
    this.samples = 0;
    return chunk;
  }
}
