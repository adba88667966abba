/**
 * The status page's HTML, script and style, kept in code so they ship inside the
 * station's dist/ (a field box gets no source tree). No inline script or style: the
 * CSP allows only these files.
 */
const HEAD = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/style.css">`;

export function loginPage(message: string): string {
  const safe = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head>${HEAD}<title>EcoSight station: log in</title></head><body>
<main class="login"><h1>EcoSight station</h1>
<form method="post" action="/login"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button></form>
<p id="login-message" role="alert">${safe}</p></main></body></html>`;
}

export const STATUS_PAGE = `<!doctype html><html lang="en"><head>${HEAD}<title>EcoSight station status</title></head><body>
<header><h1>EcoSight station <span id="station-id"></span></h1><span id="station-time"></span>
<form method="post" action="/logout"><button type="submit">Log out</button></form></header>
<main>
<section aria-labelledby="h-audio"><h2 id="h-audio">Audio</h2>
<div class="meter" aria-hidden="true"><div id="level-bar"></div><div id="peak-bar"></div></div>
<p id="level-text">waiting for audio…</p>
<canvas id="spectrogram" width="1200" height="192" aria-label="spectrogram of the last minutes"></canvas>
<p class="hint" id="spectrogram-text"></p></section>
<section aria-labelledby="h-state"><h2 id="h-state">State</h2><dl id="state">
<dt>MQTT</dt><dd id="mqtt"></dd><dt>Uploads</dt><dd id="uploads"></dd><dt>Outbox</dt><dd id="outbox"></dd>
<dt>Model</dt><dd id="model"></dd><dt>Clock</dt><dd id="clock"></dd><dt>Disk</dt><dd id="disk"></dd>
<dt>Temperature</dt><dd id="temperature"></dd><dt>Clips</dt><dd id="clips"></dd><dt>Audio input</dt><dd id="audio-input"></dd></dl></section>
<section aria-labelledby="h-det"><h2 id="h-det">Recent detections</h2>
<table id="detections"><thead><tr><th>time (UTC)</th><th>label</th><th>confidence</th><th>shots</th><th>clip</th></tr></thead><tbody></tbody></table>
<p id="detections-empty" class="hint">No detections yet.</p></section>
<section aria-labelledby="h-doc"><h2 id="h-doc">Doctor</h2><button id="run-doctor" type="button">Run the checks</button>
<ul id="doctor"></ul></section>
</main><script src="/app.js"></script></body></html>`;

export const STYLE_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f4;color:#1d261d}
header{display:flex;gap:1rem;align-items:center;padding:.5rem 1rem;background:#24452b;color:#fff;flex-wrap:wrap}
header h1{font-size:1.1rem;margin:0;flex:1}main{padding:1rem;display:grid;gap:1rem;max-width:1250px}
section{background:#fff;border-radius:6px;padding:.75rem 1rem}h2{font-size:1rem;margin:.2rem 0 .6rem}
.meter{position:relative;height:18px;background:#dde3dd;border-radius:3px;overflow:hidden}
#level-bar{position:absolute;left:0;top:0;bottom:0;width:0;background:#3c8d4a}
#peak-bar{position:absolute;top:0;bottom:0;width:3px;left:0;background:#c0392b}
canvas{width:100%;height:192px;background:#000;margin-top:.5rem;image-rendering:pixelated}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%}td,th{padding:.25rem .5rem;border-bottom:1px solid #e3e8e3;text-align:left}
.alert td{background:#fdecea}.hint{color:#5a665a;font-size:.9rem}.pass{color:#1e7b34}.warn{color:#9a6b00}.fail{color:#b3261e}
.login{max-width:22rem;margin:4rem auto;background:#fff;padding:1.5rem;border-radius:6px}
.login form{display:grid;gap:.5rem}#login-message{color:#b3261e;min-height:1.2em}`;

export const APP_JS = `'use strict';
const $ = (id) => document.getElementById(id);
const text = (id, value) => { $(id).textContent = value; };
const bytes = (n) => n === null || n === undefined ? '?' : n > 1e9 ? (n / 1e9).toFixed(1) + ' GB' : n > 1e6 ? (n / 1e6).toFixed(1) + ' MB' : Math.round(n / 1e3) + ' kB';
const time = (iso) => iso ? iso.replace('T', ' ').slice(0, 19) : 'never';
async function getJson(url, init) {
  const res = await fetch(url, Object.assign({ credentials: 'same-origin' }, init));
  if (res.status === 401) { location.reload(); throw new Error('logged out'); }
  return res.json();
}
// Each poll starts when the last one finished: a slow link polls less, it never piles requests up.
function every(ms, task) { const run = () => task().catch(() => undefined).finally(() => setTimeout(run, ms)); run(); }
function showLevel(l) {
  if (!l) return;
  const pct = (db) => Math.max(0, Math.min(100, (db + 90) / 90 * 100));
  $('level-bar').style.width = pct(l.rmsDbfs) + '%';
  $('peak-bar').style.left = pct(l.peakDbfs) + '%';
  text('level-text', 'level ' + l.rmsDbfs.toFixed(1) + ' dBFS rms, peak ' + l.peakDbfs.toFixed(1) + ' dBFS (audio time ' + time(new Date(l.timeMs).toISOString()) + ')');
}
function drawSpectrogram(s) {
  const canvas = $('spectrogram');
  const ctx = canvas.getContext('2d');
  const cols = Math.max(1, s.columns);
  canvas.width = Math.max(cols, 1); canvas.height = s.bands;
  const raw = atob(s.data);
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let c = 0; c < s.columns; c++) for (let b = 0; b < s.bands; b++) {
    const v = raw.charCodeAt(c * s.bands + b);
    const i = ((s.bands - 1 - b) * canvas.width + c) * 4;
    img.data[i] = Math.min(255, v * 1.6); img.data[i + 1] = Math.max(0, v * 1.4 - 90); img.data[i + 2] = Math.max(0, 120 - v); img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  canvas.dataset.columns = String(s.columns);
  text('spectrogram-text', (s.columns * s.columnSec / 60).toFixed(1) + ' min, ' + s.minHz + '-' + s.maxHz + ' Hz (log scale), newest on the right');
}
function showStatus(s) {
  text('station-id', s.stationId); text('station-time', time(s.time) + ' UTC, software ' + s.softwareVersion);
  text('mqtt', s.link.mqtt);
  const up = s.link.uploads;
  text('uploads', up.target + '; last upload ' + time(up.lastUploadAt) + (up.lastError ? '; retrying after: ' + up.lastError.error + ' (' + up.lastError.attempts + ' attempts)' : ''));
  text('outbox', s.outbox.queueDepth + ' waiting (uploads ' + s.outbox.pendingUploads + ', alerts ' + s.outbox.pendingAlerts + ')');
  text('model', s.model.version + (s.model.pendingUpdate ? '; update pending: ' + s.model.pendingUpdate : '; no update pending'));
  text('clock', s.clock ? s.clock.status + ': ' + s.clock.detail : 'not checked yet (run the checks)');
  text('disk', bytes(s.disk.freeBytes) + ' free');
  text('temperature', s.cpuTempC === null ? 'not available' : s.cpuTempC + ' °C');
  text('clips', s.clips.codec + ', ' + bytes(s.clips.bytesOnDisk) + ' on disk');
  text('audio-input', 'last audio ' + time(s.audio.lastAudioTime) + ', ' + s.audio.droppedWindows + ' dropped windows, ' + s.audio.gapCount + ' gaps');
  showDetections(s.detections);
}
function showDetections(list) {
  const body = document.querySelector('#detections tbody');
  $('detections-empty').hidden = list.length > 0;
  const rows = list.map((d) => {
    const tr = document.createElement('tr');
    tr.dataset.id = d.id; if (d.alert) tr.className = 'alert';
    for (const v of [time(new Date(d.startTimeMs).toISOString()), d.label, Math.round(d.confidence * 100) + ' %', d.shotCount === null ? '' : String(d.shotCount)]) {
      const td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
    }
    const td = document.createElement('td');
    const old = body.querySelector('tr[data-id="' + CSS.escape(d.id) + '"] audio');
    if (d.clip && d.clip.onDisk) {
      const audio = old || Object.assign(document.createElement('audio'), { controls: true, preload: 'none', src: '/clips/' + encodeURIComponent(d.clip.id) });
      td.appendChild(audio);
      td.appendChild(document.createTextNode(' ' + d.clip.codec + ', ' + bytes(d.clip.bytes) + ', ' + d.clip.uploadState));
    } else td.textContent = d.clip ? 'deleted for space' : (d.status === 'open' ? 'recording…' : 'no clip');
    tr.appendChild(td);
    return tr;
  });
  body.replaceChildren(...rows);
}
function showDoctor(report) {
  if (!report) return;
  $('doctor').replaceChildren(...report.checks.map((c) => {
    const li = document.createElement('li'); li.className = c.status; li.dataset.check = c.name;
    li.textContent = c.name + ': ' + (c.skipped ? 'skipped' : c.status) + ', ' + c.detail; return li;
  }));
}
$('run-doctor').addEventListener('click', async () => {
  $('run-doctor').disabled = true;
  try { showDoctor(await getJson('/api/doctor', { method: 'POST' })); } finally { $('run-doctor').disabled = false; }
});
every(250, async () => showLevel(await getJson('/api/level')));
every(2000, async () => showStatus(await getJson('/api/status')));
every(5000, async () => drawSpectrogram(await getJson('/api/spectrogram')));
getJson('/api/doctor').then(showDoctor).catch(() => undefined);
`;
