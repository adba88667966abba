/**
 * Element building without innerHTML: every value from the service goes in as
 * text, so a label or station name can never become markup.
 */

/**
 * @typedef {Record<string, string | number | boolean | null | undefined>} Attrs
 * Attributes; `class` and `text` are shorthands; false/null/undefined leave it out.
 */

/**
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') el.textContent = String(value);
    else if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

/** @param {Element} el @param {...(Node | string | null | undefined | false)} children */
export function append(el, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** @param {Element} el */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/**
 * Shows a message in a panel's message line. Errors use role=alert so screen
 * readers announce them; the rest are polite status updates.
 * @param {HTMLElement} el
 * @param {'info' | 'ok' | 'error' | ''} kind '' clears it
 * @param {string} [text]
 */
export function say(el, kind, text = '') {
  el.textContent = text;
  el.className = kind ? `msg msg-${kind}` : 'msg';
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.hidden = !text;
}

/**
 * A table from headers and rows of cells (strings or nodes).
 * @param {string} caption
 * @param {string[]} headers
 * @param {Array<Array<Node | string>>} rows
 * @param {{ rowHeader?: boolean, className?: string }} [options] rowHeader: first cell is a <th scope=row>
 */
export function table(caption, headers, rows, options = {}) {
  const head = h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col', text: t }))));
  const body = h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((c, i) => (
    i === 0 && options.rowHeader ? h('th', { scope: 'row' }, c) : h('td', {}, c)
  )))));
  return h('table', { class: options.className ?? '' }, h('caption', { text: caption }), head, body);
}
