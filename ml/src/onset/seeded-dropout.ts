import { tf } from '#shared/model/tf.js';
import type { Random } from '#shared/util/random.js';

/**
 * Dropout whose mask is new at every training step yet repeatable: each call
 * draws its seed from a seeded generator. tfjs's own `tf.layers.dropout({ seed })`
 * draws the SAME mask at every call (its seed restarts the generator each
 * time), so a "seeded" dropout layer silences a fixed set of units instead of
 * a random one; without a seed it uses Math.random and no run repeats.
 * Training only; at inference it passes its input through.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'EcoSightSeededDropout';

  constructor(private readonly rate: number, private readonly rand: Random) {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate <= 0) return x;
    return tf.tidy(() => {
      const keep = tf.randomUniform(x.shape, 0, 1, 'float32', this.rand.int(0, 2 ** 31)).greaterEqual(this.rate);
      return x.mul(keep.cast('float32')).div(1 - this.rate);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}
