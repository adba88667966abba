import { mkdir, readdir, rename, stat, unlink, copyFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { WavFileReader } from '#shared/audio/wav-file-reader.js';
import { describeError } from '#shared/errors.js';
import type { Logger } from '#shared/util/logger.js';
import type { ProcessedFiles } from './processed-files.js';
import type { Clock } from '../core/clock.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import type { AudioSource, SourceEvent, SourceStats } from './audio-source.js';
import { fileSha256, timeFromFileName } from './file-identity.js';
import { replaySegment } from './wav-segment.js';

export interface FolderSourceOptions {
  dir: string;
  /** File name suffix to pick up (case-insensitive), e.g. `.wav`. */
  extension: string;
  /** A file is complete once unchanged for this long. */
  stableSec: number;
  afterProcessing: 'move' | 'delete' | 'keep';
  processedDir: string;
  /** Unreadable files go here (never deleted: bad input loses nothing). */
  rejectedDir: string;
  /** Process what is there, then end (duty-cycled stations). */
  exitWhenIdle: boolean;
  chunkSec: number;
}

/**
 * A drop folder for recorders that write WAV files (AudioMoth and friends).
 * Files are handled oldest name first; the content hash of each finished file
 * is stored in SQLite before the file is moved or deleted, so a restart
 * neither reprocesses nor skips anything.
 */
export class FolderSource implements AudioSource {
  readonly kind = 'folder' as const;
  private lastAudioTimeMs: number | null = null;
  private readonly pending = new Set<string>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: FolderSourceOptions,
    private readonly processed: ProcessedFiles,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  stats(): SourceStats {
    return { droppedChunks: 0, restarts: 0, gaps: 0, lastAudioTimeMs: this.lastAudioTimeMs };
  }

  async *events(signal: AbortSignal): AsyncGenerator<SourceEvent> {
    await mkdir(this.options.dir, { recursive: true });
    const watcher = this.options.exitWhenIdle ? undefined : this.startWatcher();
    await this.scan();
    try {
      while (!signal.aborted) {
        const next = [...this.pending].sort()[0];
        if (next === undefined) {
          if (this.options.exitWhenIdle) return;
          await this.waitForFiles(signal);
          continue;
        }
        if (!(await this.waitStable(next, signal))) {
          this.pending.delete(next);
          continue;
        }
        this.pending.delete(next);
        yield* this.handle(next, signal);
      }
    } finally {
      await watcher?.close();
    }
  }

  private startWatcher(): FSWatcher {
    const ext = this.options.extension.toLowerCase();
    const watcher = watch(this.options.dir, {
      depth: 0,
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: Math.max(100, this.options.stableSec * 1000), pollInterval: 100 },
      ignored: (path, stats) => (stats?.isFile() ?? false) && !path.toLowerCase().endsWith(ext),
    });
    watcher.on('add', (path) => this.enqueue(path));
    watcher.on('error', (err) => this.logger.error({ err: describeError(err) }, 'folder watcher error'));
    return watcher;
  }

  private async scan(): Promise<void> {
    const ext = this.options.extension.toLowerCase();
    for (const entry of await readdir(this.options.dir, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.toLowerCase().endsWith(ext)) this.enqueue(join(this.options.dir, entry.name));
    }
  }

  private enqueue(path: string): void {
    this.pending.add(path);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private waitForFiles(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = (): void => resolve();
      this.wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits until size and mtime have not changed for stableSec; false if the file vanished. */
  private async waitStable(path: string, signal: AbortSignal): Promise<boolean> {
    const stableMs = this.options.stableSec * 1000;
    for (;;) {
      let info;
      try {
        info = await stat(path);
      } catch {
        return false;
      }
      const quietFor = this.clock.now() - info.mtimeMs;
      if (quietFor >= stableMs || signal.aborted) return !signal.aborted;
      await this.clock.sleepUntil(this.clock.now() + Math.min(stableMs - quietFor, 500), signal);
    }
  }

  private async *handle(path: string, signal: AbortSignal): AsyncGenerator<SourceEvent> {
    let identity: Awaited<ReturnType<typeof fileSha256>>;
    try {
      identity = await fileSha256(path);
    } catch (err) {
      this.logger.warn({ path, err: describeError(err) }, 'file vanished before it could be read');
      return;
    }
    const known = this.processed.get(identity.sha256);
    if (known) {
      // Finished before (maybe a crash came between the commit and the move): only dispose.
      if (known.disposedAtMs === null) await this.dispose(path, identity.sha256, known.outcome === 'rejected' ? 'reject' : this.options.afterProcessing);
      return;
    }
    const reader = new WavFileReader(path);
    let durationSec: number;
    try {
      durationSec = await reader.durationSec();
    } catch (err) {
      yield* this.reject(path, identity, describeError(err));
      return;
    }
    const segment = {
      id: `folder:${identity.sha256.slice(0, 32)}`,
      kind: 'folder' as const,
      source: basename(path),
      startTimeMs: timeFromFileName(basename(path)) ?? identity.mtimeMs - durationSec * 1000,
      sampleRateHz: SAMPLE_RATE_HZ,
      file: { path, sha256: identity.sha256, sizeBytes: identity.sizeBytes },
    };
    const { aborted, error: failure } = yield* replaySegment(reader, segment, {
      chunkSec: this.options.chunkSec,
      onAudio: (t) => {
        this.lastAudioTimeMs = t;
      },
    }, signal);
    // Not finished: leave it unrecorded so the next start processes it again.
    if (aborted) return;
    // The consumer has committed every detection of the file by the time we resume here.
    this.processed.record({
      contentSha256: identity.sha256, path, sizeBytes: identity.sizeBytes, outcome: failure ? 'rejected' : 'processed',
      disposition: failure ? 'reject' : this.options.afterProcessing, error: failure ?? null, detections: 0,
    }, this.clock.now());
    await this.dispose(path, identity.sha256, failure ? 'reject' : this.options.afterProcessing);
  }

  private async *reject(path: string, identity: { sha256: string; sizeBytes: number }, error: string): AsyncGenerator<SourceEvent> {
    this.processed.record({
      contentSha256: identity.sha256, path, sizeBytes: identity.sizeBytes, outcome: 'rejected', disposition: 'reject', error, detections: 0,
    }, this.clock.now());
    yield { type: 'rejected', path, error };
    await this.dispose(path, identity.sha256, 'reject');
  }

  private async dispose(path: string, sha256: string, action: 'move' | 'delete' | 'keep' | 'reject'): Promise<void> {
    let destination: string | null = null;
    try {
      if (action === 'delete') await unlink(path);
      else if (action === 'move' || action === 'reject') {
        const dir = action === 'move' ? this.options.processedDir : this.options.rejectedDir;
        await mkdir(dir, { recursive: true });
        destination = await freeName(dir, basename(path));
        await moveFile(path, destination);
      }
      this.processed.markDisposed(sha256, destination, this.clock.now());
    } catch (err) {
      this.logger.error({ path, action, err: describeError(err) }, 'could not move/delete processed file; will retry on next start');
    }
  }
}

async function freeName(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; ; i++) {
    const candidate = join(dir, i === 0 ? name : `${stem}.${i}${ext}`);
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}
