/** Display formats: one place, so every panel shows times, sizes and scores alike. */

/** @param {number | null | undefined} x 0..1 @param {number} [digits] */
export function percent(x, digits = 0) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '–';
}

/** @param {number | null | undefined} bytes */
export function bytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** @param {string | null | undefined} iso @returns {string} local date and time */
export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/**
 * Time of day for today, date and time for anything older.
 * @param {string | null | undefined} iso @param {number} [nowMs]
 */
export function when(iso, nowMs = Date.now()) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date(nowMs).toDateString() ? d.toLocaleTimeString() : dateTime(iso);
}

/** @param {string | null | undefined} iso @returns {string} local time of day */
export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

/**
 * "12 s ago", "3 min ago", "2 h ago", "4 days ago".
 * @param {string | null | undefined} iso @param {number} [nowMs]
 */
export function ago(iso, nowMs = Date.now()) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const sec = Math.max(0, Math.round((nowMs - t) / 1000));
  if (sec < 60) return `${sec} s ago`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
  if (sec < 86_400) return `${Math.floor(sec / 3600)} h ago`;
  const days = Math.floor(sec / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** @param {number | null | undefined} x @param {number} [digits] */
export function number(x, digits = 2) {
  return typeof x === 'number' && Number.isFinite(x) ? String(Number(x.toFixed(digits))) : '–';
}
