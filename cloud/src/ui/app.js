import { ApiClient, ApiRequestError } from './lib/api-client.js';
import { byId, say } from './lib/dom.js';
import { EventStream } from './lib/event-stream.js';
import { KeyStore } from './lib/key-store.js';
import { DetectionsPanel } from './panels/detections-panel.js';
import { IncidentsPanel } from './panels/incidents-panel.js';
import { KeyPanel } from './panels/key-panel.js';
import { LoggingPanel } from './panels/logging-panel.js';
import { ModelsPanel } from './panels/models-panel.js';
import { RetrainPanel } from './panels/retrain-panel.js';
import { StationsPanel } from './panels/stations-panel.js';
import { StatusPanel } from './panels/status-panel.js';
import { UploadPanel } from './panels/upload-panel.js';

/**
 * The dashboard's composition root: builds the API client and the panels once
 * and wires /api/live into them. Everything the page shows comes from the
 * documented API (docs/api.md); nothing here knows how the service works inside.
 */
function main() {
  const keys = new KeyStore();
  const api = new ApiClient(keys);
  const keyPanel = new KeyPanel(keys);
  const pageMessage = byId('page-message');
  /** Read routes answer without a key (PUBLIC_DASHBOARD=true): media can load by URL. */
  let readsArePublic = true;
  /** @type {string[]} */
  let classes = [];

  /** @param {unknown} err */
  const text = (err) => (err instanceof Error ? err.message : String(err));
  /** A 401 on a read: either the dashboard is private and no key is set, or the key is wrong. @param {unknown} err */
  const onReadError = (err) => {
    if (err instanceof ApiRequestError && err.status === 401) {
      if (keys.get()) keyPanel.refused(err.message);
      else say(pageMessage, 'error', 'This dashboard is private on this service (PUBLIC_DASHBOARD=false): enter the admin API key above to see it.');
    }
    throw err;
  };
  /** @param {string} path */
  const read = (path) => api.get(path).catch(onReadError);
  /** @param {unknown} err */
  const onWriteError = (err) => {
    if (err instanceof ApiRequestError && err.status === 401 && keys.get()) keyPanel.refused(err.message);
    throw err;
  };

  const status = new StatusPanel({
    load: () => api.get('/status'),
    onStatus: (s) => {
      retrain.setDisabledReason(s.publishing.enabled ? null : (s.publishing.reason ?? 'publishing is disabled on this service'));
    },
  });
  const models = new ModelsPanel({ load: () => read('/api/models') });
  const stations = new StationsPanel({ load: () => read('/api/stations'), latestModel: () => models.latest });
  const detections = new DetectionsPanel({
    load: () => read('/api/detections?limit=50'),
    classes: () => classes,
    mediaUrl: async (path) => (readsArePublic ? path : api.blobUrl(path)),
    review: async (d, label) => {
      if (!keys.get()) {
        byId('api-key').focus();
        throw new Error('Reviewing needs the admin API key: enter it at the top of the page.');
      }
      return api.send('PATCH', d.url, { label }).catch(onWriteError);
    },
  });
  const incidents = new IncidentsPanel({
    load: () => read('/api/incidents?limit=50'),
    clips: (id) => read(`/api/incidents/${encodeURIComponent(id)}/clips`),
    mediaUrl: async (path) => (readsArePublic ? path : api.blobUrl(path)),
  });
  const logging = new LoggingPanel({
    load: () => read('/api/logging?limit=50'),
    mediaUrl: async (path) => (readsArePublic ? path : api.blobUrl(path)),
  });
  const upload = new UploadPanel({
    upload: (form) => api.postForm('/upload', form).catch(onWriteError),
    recent: () => read('/api/uploads?limit=10'),
    requireKey: () => keyPanel.require(byId('upload-message')),
  });
  const retrain = new RetrainPanel({
    start: (body) => api.send('POST', '/retrain', body).catch(onWriteError),
    jobs: () => read('/api/jobs'),
    job: (id) => read(`/api/jobs/${encodeURIComponent(id)}`),
    headers: () => api.authHeaders(),
    requireKey: () => keyPanel.require(byId('retrain-message')),
    onFinished: () => {
      void models.reload();
      void status.reload();
    },
  });

  const loadClasses = async () => {
    try {
      const answer = await read('/api/classes');
      classes = answer.classes;
      upload.setClasses(classes);
      detections.refreshClasses();
    } catch (err) {
      upload.classesFailed(`Could not load the classes: ${text(err)}`);
    }
  };

  const live = new EventStream({
    url: '/api/live',
    headers: () => api.authHeaders(),
    onState: (state, detail) => status.setLive(state, detail),
    // After every (re)connection: fetch what may have happened while disconnected.
    onOpen: () => {
      void detections.reload();
      void stations.reload();
      void incidents.reload();
      void logging.reload();
    },
    isFatal: (code) => code === 401,
    onEvent: (event, data) => {
      const d = /** @type {any} */ (data);
      if (event === 'detection') detections.upsert(d);
      else if (event === 'alert') detections.onAlert(d);
      else if (event === 'logging') logging.upsert(d);
      else if (event === 'station') stations.upsert(d);
      else if (event === 'incident') incidents.upsert(d);
      else if (event === 'job') retrain.onLiveJob(d);
      else if (event === 'model') {
        void models.reload();
        void loadClasses();
        void status.reload();
      }
    },
  });

  const loadAll = async () => {
    say(pageMessage, '');
    readsArePublic = await probePublicReads();
    await loadClasses();
    await Promise.allSettled([models.reload(), upload.reload(), retrain.reload()]);
    stations.render();
    live.restart(); // its onOpen loads detections and stations
  };

  keys.onChange(() => void loadAll());
  status.start();
  void loadAll();
}

/** True when read routes answer without the key (then <img>/<audio> can use plain URLs). */
async function probePublicReads() {
  try {
    const res = await fetch('/api/classes', { cache: 'no-store' });
    return res.status !== 401;
  } catch {
    return true;
  }
}

main();
