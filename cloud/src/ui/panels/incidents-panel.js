import { byId, clear, h, say } from '../lib/dom.js';
import { dateTime, number } from '../lib/format.js';
import { incidentMap } from './incident-map.js';

/**
 * Incidents: alerts corroborated across stations, newest first. Selecting one
 * shows its map and each station's clip side by side, shifted so that every
 * clip's onset lines up (the time differences are what located the shot).
 */
export class IncidentsPanel {
  /**
   * @param {{ load: () => Promise<any>, clips: (id: string) => Promise<any>, mediaUrl: (path: string) => Promise<string> }} deps
   */
  constructor(deps) {
    this.deps = deps;
    /** @type {Map<string, any>} */
    this.items = new Map();
    /** @type {string | null} */
    this.selected = null;
    this.list = byId('incidents-list');
    this.detail = byId('incident-detail');
    this.message = byId('incidents-message');
  }

  async reload() {
    try {
      const answer = await this.deps.load();
      this.items.clear();
      for (const i of answer.items) this.items.set(i.incidentId, i);
      this.render();
    } catch (err) {
      say(this.message, 'error', `Could not load incidents: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** @param {any} incident */
  upsert(incident) {
    this.items.set(incident.incidentId, incident);
    this.selected ??= incident.incidentId;
    this.render();
  }

  render() {
    clear(this.list);
    const sorted = [...this.items.values()].sort((a, b) => b.startTime.localeCompare(a.startTime));
    if (sorted.length === 0) this.list.append(h('li', { class: 'hint', text: 'No incidents yet: they appear when stations report gunshots.' }));
    for (const i of sorted.slice(0, 30)) {
      const where = i.location ? (i.location.kind === 'point' ? `${number(i.location.latitude, 5)}, ${number(i.location.longitude, 5)}` : 'bearing only') : 'not located';
      const button = h('button', { type: 'button', class: `incident ${i.corroboration}`, 'aria-pressed': i.incidentId === this.selected },
        `${dateTime(i.startTime)} · ${i.label} ×${i.shotCount} · ${i.stations.length} station(s) · ${i.corroboration} · ${where}`);
      button.addEventListener('click', () => {
        this.selected = i.incidentId;
        this.render();
      });
      this.list.append(h('li', {}, button));
    }
    const current = this.selected ? this.items.get(this.selected) : undefined;
    if (current) void this.showDetail(current);
  }

  /** @param {any} incident */
  async showDetail(incident) {
    clear(this.detail);
    const loc = incident.location;
    const facts = [
      `Corroboration: ${incident.corroboration}${incident.silentStations.length ? ` (silent: ${incident.silentStations.join(', ')})` : ''}`,
      loc ? `Estimate: ${loc.kind}${loc.ellipse ? `, ±${number(loc.ellipse.semiMajorM, 1)} × ${number(loc.ellipse.semiMinorM, 1)} m (1σ)` : ''}${loc.flags.length ? ` — ${loc.flags.join(', ')}` : ''}` : 'Estimate: needs two stations or more',
    ];
    this.detail.append(incidentMap(incident), h('ul', { class: 'facts' }, ...facts.map((f) => h('li', { text: f }))));
    const clipsBox = h('div', { class: 'aligned-clips' });
    this.detail.append(clipsBox);
    try {
      const { items } = await this.deps.clips(incident.incidentId);
      const pxPerSec = 160;
      const lead = Math.max(0, ...items.map((/** @type {any} */ c) => c.onsetOffsetSec ?? 0));
      for (const c of items) {
        const row = h('div', { class: 'clip-row' }, h('span', { class: 'clip-station', text: c.stationId }));
        if (c.spectrogramUrl && c.durationSec !== null && c.onsetOffsetSec !== null) {
          const img = h('img', { alt: `spectrogram of ${c.stationId}'s clip`, height: 80, style: `width:${c.durationSec * pxPerSec}px;margin-left:${(lead - c.onsetOffsetSec) * pxPerSec}px` });
          img.setAttribute('src', await this.deps.mediaUrl(c.spectrogramUrl));
          row.append(img);
        } else row.append(h('span', { class: 'hint', text: 'clip not uploaded (yet)' }));
        if (c.audioUrl) row.append(h('audio', { controls: true, preload: 'none', src: await this.deps.mediaUrl(c.audioUrl) }));
        clipsBox.append(row);
      }
    } catch {
      clipsBox.append(h('p', { class: 'hint', text: 'Clips unavailable.' }));
    }
  }
}
