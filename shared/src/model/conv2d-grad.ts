import { tf } from './tf.js';

/**
 * The wasm backend has no Conv2DBackpropFilter kernel, so tfjs cannot train a
 * Conv2D on it. This registers a Conv2D gradient whose filter part is built from
 * ops every backend has: im2col with strided slices, then one matMul. The input
 * gradient keeps using Conv2DBackpropInput, which wasm does implement.
 *
 * Limits: NHWC, dilation 1 (what our models use); anything else throws.
 */
export function registerPortableConv2dGradient(): void {
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as Conv2DAttrs;
      const dy4 = dy as tf.Tensor4D;
      assertSupported(a);
      return {
        x: () => tf.conv2dTranspose(dy4, filter, x.shape, a.strides, a.padding as 'same' | 'valid'),
        filter: () => conv2dFilterGrad(x, dy4, filter.shape, a),
      };
    },
  });
}

interface Conv2DAttrs {
  strides: [number, number] | number;
  padding: 'same' | 'valid' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: string;
}

function assertSupported(a: Conv2DAttrs): void {
  const [dh, dw] = pair(a.dilations ?? 1);
  if (dh !== 1 || dw !== 1) throw new Error('portable Conv2D gradient supports dilation 1 only');
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('portable Conv2D gradient supports NHWC only');
  if (typeof a.padding !== 'string' && typeof a.padding !== 'number') throw new Error('portable Conv2D gradient: explicit padding arrays are not supported');
}

/** dL/dW for y = conv2d(x, W): im2col(x)^T . dy, reshaped to the filter shape. */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  a: Pick<Conv2DAttrs, 'strides' | 'padding'>,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, cout] = filterShape;
    const [sh, sw] = pair(a.strides);
    const [n, h, w] = x.shape;
    const [, oh, ow] = dy.shape;
    const [padTop, padLeft, padBottom, padRight] = paddingOf(a.padding, h, w, oh, ow, kh, kw, sh, sw);
    const xp = padTop || padLeft || padBottom || padRight
      ? tf.pad(x, [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]])
      : x;
    const columns: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        columns.push(tf.stridedSlice(
          xp, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, cin], [1, sh, sw, 1],
        ) as tf.Tensor4D);
      }
    }
    const patches = tf.concat(columns, 3).reshape([n * oh * ow, kh * kw * cin]);
    const grad = tf.matMul(patches, dy.reshape([n * oh * ow, cout]), true, false);
    return grad.reshape([kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

function paddingOf(
  padding: 'same' | 'valid' | number,
  h: number, w: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number,
): [number, number, number, number] {
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding === 'valid') return [0, 0, 0, 0];
  const padH = Math.max((oh - 1) * sh + kh - h, 0);
  const padW = Math.max((ow - 1) * sw + kw - w, 0);
  const top = Math.floor(padH / 2);
  const left = Math.floor(padW / 2);
  return [top, left, padH - top, padW - left];
}

function pair(v: [number, number] | number): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}
