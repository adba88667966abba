import { tf } from './tf.js';

/**
 * The wasm backend has no Conv2DBackpropFilter kernel, so tfjs cannot train a
 * Conv2D on it. This registers a Conv2D gradient built from what every backend
 * has: im2col / col2im and one matMul per gradient.
 *
 * Why im2col in plain loops rather than strided-slice ops: an earlier version
 * built im2col from nine StridedSlice ops, and wasm's StridedSlice runs at
 * ~150 ns per element (a 64-patch batch took 2.7 s per step). Here im2col and
 * col2im are loops over typed arrays (a few ms each) and the only heavy
 * operation is one non-transposed matMul, which XNNPACK does fast (a step
 * takes ~0.2 s). Gradients match tfjs's cpu kernels to ~1e-6
 * (conv2d-gradient.test.ts).
 *
 * The registry is global: this replaces whatever Conv2D gradient was registered
 * before, for every backend. Limits: NHWC, dilation 1.
 */
export function registerFastConv2dGradient(): void {
  tf.registerGradient(FAST_CONV2D_GRADIENT);
}

/** True when the fast gradient is the registered Conv2D gradient. */
export function fastConv2dGradientRegistered(): boolean {
  return tf.getGradient('Conv2D')?.gradFunc === FAST_CONV2D_GRADIENT.gradFunc;
}

const FAST_CONV2D_GRADIENT: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const geometry = convGeometry(x.shape, (dy as tf.Tensor4D).shape, filter.shape, attrs as unknown as ConvAttrs);
    return {
      x: () => conv2dInputGrad(dy as tf.Tensor4D, filter, geometry),
      filter: () => conv2dFilterGradFast(x, dy as tf.Tensor4D, geometry),
    };
  },
};

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | number[][];
  /** Older tfjs versions (and some callers) use `padding`. */
  padding?: 'same' | 'valid' | number | number[][];
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
}

/** Sizes of one convolution, all in elements. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

export function convGeometry(
  xShape: number[], dyShape: number[], filterShape: number[], attrs: ConvAttrs,
): ConvGeometry {
  const [dh, dw] = pair(attrs.dilations ?? 1);
  if (dh !== 1 || dw !== 1) throw new Error('fast Conv2D gradient supports dilation 1 only');
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') throw new Error('fast Conv2D gradient supports NHWC only');
  const [batch, inHeight, inWidth, inChannels] = xShape;
  const [, outHeight, outWidth, outChannels] = dyShape;
  const [kernelHeight, kernelWidth] = filterShape;
  const [strideHeight, strideWidth] = pair(attrs.strides);
  const pad = attrs.pad ?? attrs.padding ?? 'valid';
  let padTop = 0;
  let padLeft = 0;
  if (typeof pad === 'number') {
    padTop = pad;
    padLeft = pad;
  } else if (Array.isArray(pad)) {
    padTop = pad[1][0];
    padLeft = pad[2][0];
  } else if (pad === 'same') {
    padTop = Math.floor(Math.max((outHeight - 1) * strideHeight + kernelHeight - inHeight, 0) / 2);
    padLeft = Math.floor(Math.max((outWidth - 1) * strideWidth + kernelWidth - inWidth, 0) / 2);
  }
  return {
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft,
  };
}

/** dL/dW = im2col(x)^T . dy, with im2col built already transposed ([kh*kw*cin, positions]). */
export function conv2dFilterGradFast(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const columns = im2colTransposed(x.dataSync() as Float32Array, g);
  const rows = g.kernelHeight * g.kernelWidth * g.inChannels;
  const positions = g.batch * g.outHeight * g.outWidth;
  return tf.tidy(() => tf.matMul(tf.tensor2d(columns, [rows, positions]), dy.reshape([positions, g.outChannels]))
    .reshape([g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels]) as tf.Tensor4D);
}

/** dL/dx = col2im(dy . W^T). */
export function conv2dInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const rows = g.kernelHeight * g.kernelWidth * g.inChannels;
  const positions = g.batch * g.outHeight * g.outWidth;
  // Transposing the small filter first keeps the big matMul non-transposed (XNNPACK's fast path).
  const product = tf.tidy(() => tf.matMul(dy.reshape([positions, g.outChannels]), filter.reshape([rows, g.outChannels]).transpose()));
  const columns = product.dataSync() as Float32Array;
  product.dispose();
  return tf.tensor4d(col2im(columns, g), [g.batch, g.inHeight, g.inWidth, g.inChannels]);
}

function im2colTransposed(x: Float32Array, g: ConvGeometry): Float32Array {
  const { batch, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow } = g;
  const positions = batch * oh * ow;
  const out = new Float32Array(g.kernelHeight * g.kernelWidth * cin * positions);
  for (let i = 0; i < g.kernelHeight; i++) {
    for (let j = 0; j < g.kernelWidth; j++) {
      for (let c = 0; c < cin; c++) {
        let o = ((i * g.kernelWidth + j) * cin + c) * positions;
        for (let b = 0; b < batch; b++) {
          for (let a = 0; a < oh; a++) {
            const y = a * g.strideHeight + i - g.padTop;
            if (y < 0 || y >= h) {
              o += ow;
              continue;
            }
            const base = (b * h + y) * w * cin + c;
            for (let q = 0; q < ow; q++, o++) {
              const xx = q * g.strideWidth + j - g.padLeft;
              if (xx >= 0 && xx < w) out[o] = x[base + xx * cin];
            }
          }
        }
      }
    }
  }
  return out;
}

function col2im(columns: Float32Array, g: ConvGeometry): Float32Array {
  const { batch, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow } = g;
  const rows = g.kernelHeight * g.kernelWidth * cin;
  const dx = new Float32Array(batch * h * w * cin);
  let column = 0;
  for (let b = 0; b < batch; b++) {
    for (let a = 0; a < oh; a++) {
      for (let q = 0; q < ow; q++, column++) {
        const source = column * rows;
        for (let i = 0; i < g.kernelHeight; i++) {
          const y = a * g.strideHeight + i - g.padTop;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < g.kernelWidth; j++) {
            const xx = q * g.strideWidth + j - g.padLeft;
            if (xx < 0 || xx >= w) continue;
            const d = ((b * h + y) * w + xx) * cin;
            const s = source + (i * g.kernelWidth + j) * cin;
            for (let c = 0; c < cin; c++) dx[d + c] += columns[s + c];
          }
        }
      }
    }
  }
  return dx;
}

function pair(v: [number, number] | number): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}
