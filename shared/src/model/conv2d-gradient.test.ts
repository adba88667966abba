import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../util/logger.js';
import { createRandom } from '../util/random.js';
import { tf } from './tf.js';
import { initBackend } from './backend.js';
import { fastConv2dGradientRegistered } from './conv2d-gradient.js';

/** Direct loops: d/dx and d/dW of sum(conv2d(x, W) * dy) for NHWC, explicit padding. */
function naiveGrads(x: Float32Array, xs: number[], w: Float32Array, ws: number[], dy: Float32Array, ys: number[], stride: [number, number], pad: [number, number]) {
  const [n, h, wd, cin] = xs;
  const [kh, kw, , cout] = ws;
  const [, oh, ow] = ys;
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  for (let b = 0; b < n; b++) for (let a = 0; a < oh; a++) for (let q = 0; q < ow; q++) for (let o = 0; o < cout; o++) {
    const g = dy[((b * oh + a) * ow + q) * cout + o];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const yy = a * stride[0] + i - pad[0];
      const xx = q * stride[1] + j - pad[1];
      if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
      for (let c = 0; c < cin; c++) {
        const xi = ((b * h + yy) * wd + xx) * cin + c;
        const wi = ((i * kw + j) * cin + c) * cout + o;
        dw[wi] += x[xi] * g;
        dx[xi] += w[wi] * g;
      }
    }
  }
  return { dx, dw };
}

function random(n: number, seed: string): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

describe('Conv2D gradient on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend(createLogger({ name: 'test', level: 'silent' }), 'wasm');
  });

  it('is registered when the backend lacks Conv2DBackpropFilter', () => {
    const kernels = tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName);
    expect(kernels.includes('Conv2DBackpropFilter') || fastConv2dGradientRegistered()).toBe(true);
  });

  const cases: { name: string; xs: number[]; ws: number[]; stride: [number, number]; pad: 'same' | 'valid' }[] = [
    { name: 'stride 2, same, even input (the model layers)', xs: [3, 12, 8, 5], ws: [3, 3, 5, 6], stride: [2, 2], pad: 'same' },
    { name: 'stride 2, same, odd input', xs: [2, 9, 7, 3], ws: [3, 3, 3, 4], stride: [2, 2], pad: 'same' },
    { name: 'stride 1, same', xs: [2, 6, 5, 2], ws: [3, 3, 2, 3], stride: [1, 1], pad: 'same' },
    { name: 'stride (2, 1), valid, 5x3 kernel', xs: [2, 11, 9, 2], ws: [5, 3, 2, 4], stride: [2, 1], pad: 'valid' },
  ];
  for (const c of cases) {
    it(`matches direct loops: ${c.name}`, () => {
      const x = random(c.xs.reduce((a, b) => a * b), `x-${c.name}`);
      const w = random(c.ws.reduce((a, b) => a * b), `w-${c.name}`);
      const [xt, wt] = [tf.tensor4d(x, c.xs as [number, number, number, number]), tf.tensor4d(w, c.ws as [number, number, number, number])];
      const yShape = tf.conv2d(xt, wt, c.stride, c.pad).shape;
      const dy = random(yShape.reduce((a, b) => a * b), `dy-${c.name}`);
      const dyt = tf.tensor4d(dy, yShape);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dyt)))([xt, wt]);
      const padTop = c.pad === 'valid' ? 0 : Math.floor(Math.max((yShape[1] - 1) * c.stride[0] + c.ws[0] - c.xs[1], 0) / 2);
      const padLeft = c.pad === 'valid' ? 0 : Math.floor(Math.max((yShape[2] - 1) * c.stride[1] + c.ws[1] - c.xs[2], 0) / 2);
      const want = naiveGrads(x, c.xs, w, c.ws, dy, yShape, c.stride, [padTop, padLeft]);
      const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      expect(maxDiff(gx.dataSync() as Float32Array, want.dx)).toBeLessThan(1e-4);
      expect(maxDiff(gw.dataSync() as Float32Array, want.dw)).toBeLessThan(1e-4);
      tf.dispose([xt, wt, dyt, gx, gw]);
    });
  }
});
