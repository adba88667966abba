/**
 * The one place that imports TensorFlow.js, so every other module gets the same
 * engine instance whichever backend package registered itself.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type LayersModel = tf.LayersModel;
