import { byId, h, say, table } from '../lib/dom.js';
import { dateTime, number, percent } from '../lib/format.js';

/**
 * @typedef {object} EvalMetrics  what the retrain job's evaluator reports
 * @property {number | null} gunshotRecall
 * @property {number} falseAlarmsPerHour
 * @property {number} [negativeHours]
 * @property {number} [clips]
 * @property {number | null} [accuracy]
 * @property {Record<string, { support: number, recall: number | null, precision: number | null }>} [perClass]
 * @property {{ labels: string[], counts: number[][] }} [confusionMatrix]
 *
 * @typedef {object} Release
 * @property {string} version
 * @property {'published' | 'rejected'} status
 * @property {string} createdAt
 * @property {string | null} parentVersion
 * @property {string | null} jobId
 * @property {string[]} classes
 * @property {boolean} current
 * @property {EvalMetrics | null} metrics
 * @property {EvalMetrics | null} baselineMetrics
 * @property {{ passed: boolean, reasons: string[] } | null} gate
 * @property {{ originals?: { train: number, valid: number, eval: number }, mode?: string } | null} report
 */

/** Model versions with their metrics, gate verdict and confusion matrix. */
export class ModelsPanel {
  /** @param {{ load: () => Promise<{ items: Release[], latest: string | null }> }} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.list = byId('model-list');
    this.empty = byId('models-empty');
    this.message = byId('models-message');
    /** @type {string | null} */
    this.latest = null;
    /** Versions whose details the user opened (kept open across re-renders). */
    this.open = new Set();
  }

  async reload() {
    try {
      const { items, latest } = await this.ctx.load();
      this.latest = latest;
      this.render(items);
      say(this.message, '');
    } catch (err) {
      say(this.message, 'error', `Could not load model versions: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** @param {Release[]} items */
  render(items) {
    this.empty.hidden = items.length > 0;
    this.list.replaceChildren(...items.map((r, i) => this.item(r, i === 0)));
  }

  /** @param {Release} r @param {boolean} newest */
  item(r, newest) {
    const m = r.metrics;
    const b = r.baselineMetrics;
    const badges = h('p', { class: 'badges' },
      h('span', { class: `badge badge-${r.status}`, text: r.status === 'published' ? 'Published' : 'Rejected' }),
      r.current ? h('span', { class: 'badge badge-current', text: 'Current' }) : '');
    const facts = h('dl', { class: 'facts' },
      ...fact('Created', dateTime(r.createdAt)),
      ...fact('Parent', r.parentVersion ?? '–'),
      ...fact('Job', r.jobId ?? '–'),
      ...fact('Gunshot recall', m ? `${percent(m.gunshotRecall, 1)}${b ? ` (was ${percent(b.gunshotRecall, 1)})` : ''}` : '–'),
      ...fact('False alarms per hour', m ? `${number(m.falseAlarmsPerHour)}${b ? ` (was ${number(b.falseAlarmsPerHour)})` : ''}` : '–'),
      ...fact('Accuracy', m ? percent(m.accuracy ?? null, 1) : '–'),
      ...fact('Evaluation clips', m?.clips !== undefined ? String(m.clips) : '–'),
      ...(r.report?.originals ? fact('Originals (train / valid / eval)', `${r.report.originals.train} / ${r.report.originals.valid} / ${r.report.originals.eval}`) : []));
    const gate = r.gate
      ? h('p', { class: `gate ${r.gate.passed ? 'gate-pass' : 'gate-fail'}` }, h('strong', { text: r.gate.passed ? 'Gate passed: ' : 'Gate failed: ' }), r.gate.reasons.join('; '))
      : h('p', { class: 'hint', text: r.metrics ? '' : 'Shipped model: no evaluation on record.' });
    const details = m ? this.details(r, m, newest) : '';
    return h('li', { class: 'model', 'data-version': r.version },
      h('article', { 'aria-labelledby': `model-${cssId(r.version)}` },
        h('h3', { id: `model-${cssId(r.version)}`, text: r.version }), badges, facts, gate, details));
  }

  /** @param {Release} r @param {EvalMetrics} m @param {boolean} newest */
  details(r, m, newest) {
    const box = h('details', { class: 'model-details' }, h('summary', { text: 'Per-class metrics and confusion matrix' }));
    if (this.open.has(r.version) || (newest && !this.open.size)) box.setAttribute('open', '');
    box.addEventListener('toggle', () => {
      if (/** @type {HTMLDetailsElement} */ (box).open) this.open.add(r.version);
      else this.open.delete(r.version);
    });
    if (m.perClass) {
      const rows = Object.entries(m.perClass).map(([name, c]) => [name, String(c.support), percent(c.recall, 1), percent(c.precision, 1)]);
      box.append(h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': `Per-class metrics of ${r.version}` },
        table(`Per-class metrics of ${r.version} (evaluation split)`, ['Class', 'Clips', 'Recall', 'Precision'], rows, { rowHeader: true })));
    }
    if (m.confusionMatrix) box.append(confusionMatrix(r.version, m.confusionMatrix));
    return box;
  }
}

/**
 * Rows are the true class, columns the predicted one; cells are shaded by their
 * share of the row (set through the CSSOM, which a strict CSP allows).
 * @param {string} version @param {{ labels: string[], counts: number[][] }} cm
 */
export function confusionMatrix(version, cm) {
  const head = h('thead', {},
    h('tr', {}, h('td', { class: 'corner', text: 'true ↓ / predicted →' }), ...cm.labels.map((l) => h('th', { scope: 'col', text: l }))));
  const body = h('tbody', {}, ...cm.labels.map((label, i) => {
    const row = cm.counts[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    return h('tr', {}, h('th', { scope: 'row', text: label }), ...cm.labels.map((_, j) => {
      const n = row[j] ?? 0;
      const cell = h('td', { class: `cm-cell${i === j ? ' diag' : ''}`, text: String(n) });
      const share = total ? n / total : 0;
      cell.style.setProperty('--share', String(share));
      if (share > 0.5) cell.classList.add('cm-high');
      return cell;
    }));
  }));
  return h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': `Confusion matrix of ${version}` },
    h('table', { class: 'confusion' }, h('caption', { text: `Confusion matrix of ${version}: rows are the true class, columns the predicted class` }), head, body));
}

/** @param {string} term @param {string} value */
function fact(term, value) {
  return [h('dt', { text: term }), h('dd', { text: value })];
}

/** @param {string} id */
function cssId(id) {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
