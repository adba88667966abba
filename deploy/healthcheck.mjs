// Docker HEALTHCHECK for the EcoSight cloud image (see deploy/Dockerfile).
// The API (`ecosight-cloud serve`) is healthy when GET /status on $PORT answers 2xx
// within 4 s. The worker (`ecosight-cloud worker`) has no HTTP server: it is healthy
// while its process runs, which Docker already knows, so the probe passes.
// Exit 0 = healthy, 1 = unhealthy (Docker's contract).
import { readFileSync } from 'node:fs';

const TIMEOUT_MS = 4000;

// Tests pass `--cmdline FILE` instead of the container's /proc/1/cmdline.
const flag = process.argv.indexOf('--cmdline');
const cmdlinePath = flag > 0 ? process.argv[flag + 1] : '/proc/1/cmdline';

function servesHttp() {
  try {
    return readFileSync(cmdlinePath, 'utf8').split('\0').includes('serve');
  } catch {
    return true; // Unknown role: probe rather than pass blindly.
  }
}

async function probe() {
  const port = process.env.PORT || '8000';
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (res.ok) return 0;
    console.error(`GET /status answered ${res.status}`);
  } catch (err) {
    console.error(`GET /status failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return 1;
}

process.exitCode = servesHttp() ? await probe() : 0;
