import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import type { FrontEndParams } from '#shared/features/params.js';
import { encodePngRgb } from '../util/png.js';

/** Widest image produced; longer clips are averaged down to this many columns. */
const MAX_COLUMNS = 800;
/** Pixels per mel band vertically. */
const BAND_PX = 2;
/** Shown range below the loudest cell. */
const DYNAMIC_RANGE = 8; // natural-log units (about 70 dB)

/**
 * A log-mel spectrogram as a PNG: time left to right, low bands at the bottom,
 * colours from dark blue (quiet) through green to yellow (loud).
 */
export function spectrogramPng(samples: Float32Array, params: FrontEndParams): Buffer {
  const fe = new LogMelFrontEnd(params);
  const { data, frames } = fe.spectrogram(samples);
  const bands = params.melBands;
  const columns = Math.max(1, Math.min(MAX_COLUMNS, frames));
  const perColumn = Math.max(1, frames / columns);
  let max = -Infinity;
  for (const v of data) if (v > max) max = v;
  const min = max - DYNAMIC_RANGE;
  const width = columns;
  const height = bands * BAND_PX;
  const rgb = new Uint8Array(width * height * 3);
  for (let x = 0; x < width; x++) {
    const f0 = Math.floor(x * perColumn);
    const f1 = Math.max(f0 + 1, Math.min(frames, Math.floor((x + 1) * perColumn)));
    for (let b = 0; b < bands; b++) {
      let sum = 0;
      for (let f = f0; f < f1; f++) sum += frames ? data[f * bands + b] : min;
      const t = frames ? Math.max(0, Math.min(1, (sum / (f1 - f0) - min) / DYNAMIC_RANGE)) : 0;
      const [r, g, bl] = colour(t);
      for (let dy = 0; dy < BAND_PX; dy++) {
        const y = height - 1 - (b * BAND_PX + dy);
        const i = (y * width + x) * 3;
        rgb[i] = r;
        rgb[i + 1] = g;
        rgb[i + 2] = bl;
      }
    }
  }
  return encodePngRgb(width, height, rgb);
}

/** A viridis-like ramp from three anchors. */
function colour(t: number): [number, number, number] {
  const stops: [number, number, number][] = [[68, 1, 84], [33, 145, 140], [253, 231, 37]];
  const pos = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f)) as [number, number, number];
}
