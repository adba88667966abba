import { byId, h, say, table } from '../lib/dom.js';
import { ago, bytes, dateTime, number } from '../lib/format.js';

/**
 * A station is "stale" when nothing came from it for this long. Stations send
 * telemetry every 60 s by default (station config telemetryIntervalSec), so
 * five missed reports is a real silence, not jitter.
 */
export const STALE_AFTER_MS = 5 * 60_000;
/** Less free disk than this on a station is worth a warning (clips are kept until uploaded). */
export const LOW_DISK_BYTES = 1e9;
/** More queued work than this means the station is not keeping up with uploads or alerts. */
export const BIG_QUEUE = 50;

/**
 * @typedef {object} Telemetry
 * @property {string} time
 * @property {number} queueDepth
 * @property {number} pendingUploads
 * @property {number} pendingAlerts
 * @property {number | null} diskFreeBytes
 * @property {number | null} cpuTempC
 * @property {number} uptimeSec
 *
 * @typedef {object} Station
 * @property {string} id
 * @property {string} name
 * @property {string | null} lastSeen
 * @property {string | null} state
 * @property {string | null} softwareVersion
 * @property {string | null} modelVersion
 * @property {Telemetry | null} telemetry
 *
 * @typedef {{ level: 'ok' | 'warn' | 'bad' | 'unknown', text: string, reasons: string[] }} Health
 */

/**
 * Judges one station's health from what it last reported.
 * @param {Station} s @param {string | null} latestModel the newest published version @param {number} nowMs
 * @returns {Health}
 */
export function stationHealth(s, latestModel, nowMs) {
  if (!s.lastSeen) return { level: 'unknown', text: 'Never seen', reasons: ['no message from this station yet'] };
  if (s.state === 'offline') return { level: 'bad', text: 'Offline', reasons: ['the station reported offline (or its connection dropped)'] };
  const reasons = [];
  if (nowMs - Date.parse(s.lastSeen) > STALE_AFTER_MS) reasons.push(`silent since ${ago(s.lastSeen, nowMs)}`);
  const t = s.telemetry;
  if (t && typeof t.diskFreeBytes === 'number' && t.diskFreeBytes < LOW_DISK_BYTES) reasons.push(`low disk: ${bytes(t.diskFreeBytes)} free`);
  if (t && t.queueDepth > BIG_QUEUE) reasons.push(`queue of ${t.queueDepth} items`);
  if (latestModel && s.modelVersion && s.modelVersion !== latestModel) reasons.push(`runs ${s.modelVersion}, latest is ${latestModel}`);
  return reasons.length ? { level: 'warn', text: 'Check', reasons } : { level: 'ok', text: 'Healthy', reasons: [] };
}

/** Station list with health, kept current by the `station` events of /api/live. */
export class StationsPanel {
  /** @param {{ load: () => Promise<{ items: Station[] }>, latestModel: () => string | null }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    /** @type {Map<string, Station>} */
    this.stations = new Map();
    this.holder = byId('stations-table');
    this.empty = byId('stations-empty');
    this.message = byId('stations-message');
    // "3 min ago" must age even when nothing arrives.
    setInterval(() => this.render(), 30_000);
  }

  async reload() {
    try {
      const { items } = await this.ctx.load();
      this.stations = new Map(items.map((s) => [s.id, s]));
      say(this.message, '');
    } catch (err) {
      say(this.message, 'error', `Could not load stations: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.render();
  }

  /** @param {Station} s */
  upsert(s) {
    this.stations.set(s.id, s);
    this.render();
  }

  render() {
    const now = Date.now();
    const latest = this.ctx.latestModel();
    const items = [...this.stations.values()].sort((a, b) => a.id.localeCompare(b.id));
    this.empty.hidden = items.length > 0;
    this.holder.hidden = items.length === 0;
    const rows = items.map((s) => {
      const health = stationHealth(s, latest, now);
      const t = s.telemetry;
      return [
        h('span', {}, h('span', { class: 'station-id', text: s.id }), s.name && s.name !== s.id ? h('span', { class: 'hint block', text: s.name }) : ''),
        h('span', { class: `health health-${health.level}`, 'data-station': s.id, title: health.reasons.join('; ') },
          health.text, health.reasons.length ? h('span', { class: 'hint block', text: health.reasons.join('; ') }) : ''),
        h('time', { datetime: s.lastSeen ?? '', title: dateTime(s.lastSeen), text: ago(s.lastSeen, now) }),
        t ? h('span', {}, String(t.queueDepth), h('span', { class: 'hint block', text: `uploads ${t.pendingUploads}, alerts ${t.pendingAlerts}` })) : '–',
        t ? h('span', {}, bytes(t.diskFreeBytes), typeof t.cpuTempC === 'number' ? h('span', { class: 'hint block', text: `CPU ${number(t.cpuTempC, 1)} °C` }) : '') : '–',
        h('span', {}, s.modelVersion ?? '–', s.softwareVersion ? h('span', { class: 'hint block', text: `software ${s.softwareVersion}` }) : ''),
      ];
    });
    this.holder.replaceChildren(table('Stations and their last report',
      ['Station', 'Health', 'Last seen', 'Queue', 'Disk free', 'Model'], rows, { rowHeader: true, className: 'stations' }));
  }
}
