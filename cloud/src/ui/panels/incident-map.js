/**
 * An incident drawn in its own local frame (metres east/north of the stations'
 * centroid), as plain SVG so it works offline: stations, the located point with
 * its 1-sigma ellipse, or the two bearings a station pair gives.
 */
const NS = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string | number>} attrs @param {string} [text] */
function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * @param {any} incident an IncidentPayload (docs/api.md)
 * @returns {SVGSVGElement}
 */
export function incidentMap(incident) {
  const size = 320;
  const pts = incident.stations.map((/** @type {any} */ st) => [st.eastM, st.northM]);
  const loc = incident.location;
  if (loc && loc.kind === 'point') pts.push([loc.eastM, loc.northM]);
  const extent = Math.max(100, ...pts.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y)))) * 1.25;
  const scale = size / 2 / extent;
  /** @param {number} x @param {number} y */
  const at = (x, y) => [size / 2 + x * scale, size / 2 - y * scale];
  const svg = /** @type {SVGSVGElement} */ (s('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, class: 'incident-map', role: 'img' }));
  svg.append(s('title', {}, `Incident ${incident.incidentId}: stations and estimated position (north up)`));
  const barM = niceBar(extent / 2);
  svg.append(s('line', { x1: 10, y1: size - 12, x2: 10 + barM * scale, y2: size - 12, class: 'scale' }));
  svg.append(s('text', { x: 10, y: size - 16, class: 'label' }, `${barM} m`));
  if (loc && loc.kind === 'bearing' && loc.bearingsDeg) {
    const [cx, cy] = at(loc.eastM, loc.northM);
    for (const b of loc.bearingsDeg) {
      const r = (b * Math.PI) / 180;
      svg.append(s('line', { x1: cx, y1: cy, x2: cx + Math.sin(r) * size, y2: cy - Math.cos(r) * size, class: 'bearing' }));
    }
  }
  if (loc && loc.kind === 'point') {
    const [cx, cy] = at(loc.eastM, loc.northM);
    if (loc.ellipse) {
      // orientationDeg is the major axis, clockwise from north; SVG rotates clockwise from +x (east).
      svg.append(s('ellipse', {
        cx, cy, rx: Math.max(2, loc.ellipse.semiMajorM * scale), ry: Math.max(2, loc.ellipse.semiMinorM * scale),
        transform: `rotate(${loc.ellipse.orientationDeg - 90} ${cx} ${cy})`, class: 'ellipse',
      }));
    }
    svg.append(s('circle', { cx, cy, r: 5, class: `shot ${incident.corroboration}` }));
  }
  for (const st of incident.stations) {
    const [x, y] = at(st.eastM, st.northM);
    svg.append(s('rect', { x: x - 4, y: y - 4, width: 8, height: 8, class: st.excluded ? 'station excluded' : 'station' }));
    svg.append(s('text', { x: x + 6, y: y - 6, class: 'label' }, st.stationId));
  }
  return svg;
}

/** A round scale-bar length near `m`. @param {number} m */
function niceBar(m) {
  const p = 10 ** Math.floor(Math.log10(m));
  return [1, 2, 5].map((k) => k * p).filter((v) => v <= m).pop() ?? p;
}
