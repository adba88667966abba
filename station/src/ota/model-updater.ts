import type { KeyObject } from 'node:crypto';
import { describeError } from '#shared/errors.js';
import { compareVersions } from '#shared/model/metadata.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { decodePayload } from '#shared/mqtt/payloads.js';
import type { ReleaseAnnouncement } from '#shared/release/pointer.js';
import { latestReleaseUrl } from '#shared/release/urls.js';
import { modelAnnounceTopic } from '#shared/mqtt/topics.js';
import type { Logger } from '#shared/util/logger.js';
import type { MqttLink } from '../actions/mqtt-link.js';
import type { ClassDecision } from '#shared/pipeline/event-detector.js';
import type { ModelSwitch } from '../pipeline/runner.js';
import type { KeyValueStore } from '../store/kv.js';
import type { Service } from '../core/service.js';
import { fetchBytes } from './http-fetch.js';
import type { ModelInstaller } from './model-installer.js';
import { validateCandidate } from './model-validator.js';
import { downloadRelease } from './release-download.js';
import { inBackground } from '#shared/util/background.js';

export interface ModelUpdaterOptions {
  /** Cloud base URL; empty disables polling (MQTT announcements still work). */
  baseUrl: string;
  pollIntervalMs: number;
  /** Verifies releases; without it every update is refused (unsigned models are never installed). */
  publicKey: KeyObject | undefined;
  /** When set, only this exact version is accepted (it may be older: an operator's rollback). */
  pinnedVersion: string;
  mqttPrefix: string;
  stationToken?: string;
}

/** What the updater needs from the running pipeline. */
export interface ModelHost {
  currentModel(): ModelPackage;
  requestModelSwitch(next: ModelSwitch): void;
}

export type UpdateOutcome = 'installed' | 'up-to-date' | 'refused' | 'busy';

const BAD_VERSIONS_KEY = 'ota.badVersions';
const ETAG_KEY = 'ota.etag';

/**
 * Over-the-air model updates: polls the cloud (with ETag) and listens to the
 * retained announcement topic; verifies the signed release, validates the
 * model on its reference clips, installs it atomically, switches between
 * windows, and rolls back if the new model fails at run time.
 */
export class ModelUpdater implements Service {
  readonly name = 'ota';
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private beforeSwitch: ModelPackage | undefined;
  private signal: AbortSignal = new AbortController().signal;

  constructor(
    private readonly options: ModelUpdaterOptions,
    private readonly installer: ModelInstaller,
    private readonly host: ModelHost,
    private readonly decisionsFor: (model: ModelPackage) => ClassDecision[],
    private readonly kv: KeyValueStore,
    private readonly link: MqttLink | undefined,
    private readonly fallbackModelDir: string,
    private readonly logger: Logger,
  ) {}

  start(signal: AbortSignal): void {
    this.signal = signal;
    if (!this.options.publicKey) {
      if (this.options.baseUrl) this.logger.warn('ota.url is set but ota.publicKey is not: model updates are disabled (unsigned models are never installed)');
      return;
    }
    this.link?.subscribe(modelAnnounceTopic(this.options.mqttPrefix), (payload) => {
      const announce = decodePayload<ReleaseAnnouncement>(payload, ['version', 'manifestUrl']);
      if (announce) inBackground(this.consider(announce.version, this.rebase(announce.manifestUrl), 'mqtt'), this.logger, 'model announcement');
    });
    if (this.options.baseUrl) {
      const poll = (): void => inBackground(this.poll(), this.logger, 'model update poll');
      this.timer = setInterval(poll, this.options.pollIntervalMs);
      this.timer.unref();
      setTimeout(poll, 1000).unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One poll of the cloud's latest release (latestReleaseUrl). */
  async poll(): Promise<UpdateOutcome> {
    const url = latestReleaseUrl(this.options.baseUrl);
    try {
      const headers: Record<string, string> = {};
      const etag = this.kv.get<string>(ETAG_KEY);
      if (etag) headers['if-none-match'] = etag;
      if (this.options.stationToken) headers['x-station-token'] = this.options.stationToken;
      const res = await fetchBytes(url, 64 * 1024, AbortSignal.any([this.signal, AbortSignal.timeout(30_000)]), headers);
      if (res.status === 304) return 'up-to-date';
      const latest = JSON.parse(res.bytes.toString('utf8')) as Partial<ReleaseAnnouncement>;
      if (!latest.version || !latest.manifestUrl) return 'up-to-date';
      const outcome = await this.consider(latest.version, new URL(latest.manifestUrl, url).toString(), 'poll');
      const newTag = res.headers.get('etag');
      if (newTag && outcome !== 'busy') this.kv.set(ETAG_KEY, newTag);
      return outcome;
    } catch (err) {
      this.logger.warn({ url, err: describeError(err) }, 'model update check failed; will retry');
      return 'refused';
    }
  }

  /** Decides on an announced release and, if acceptable, installs and switches to it. */
  async consider(version: string, manifestUrl: string, via: string): Promise<UpdateOutcome> {
    const running = this.host.currentModel().metadata.version;
    const pinned = this.options.pinnedVersion;
    if (pinned ? version !== pinned || version === running : compareVersions(version, running) <= 0) {
      if (!pinned && compareVersions(version, running) < 0) this.logger.warn({ version, running, via }, 'refusing an older model version (downgrade); pin it to allow');
      return pinned || compareVersions(version, running) < 0 ? 'refused' : 'up-to-date';
    }
    if (this.badVersions().includes(version)) return 'refused';
    const publicKey = this.options.publicKey;
    if (!publicKey) return 'refused';
    if (this.busy) return 'busy';
    this.busy = true;
    const staging = this.installer.stagingDir(version);
    try {
      await downloadRelease(manifestUrl, publicKey, staging, this.signal);
      const candidate = await validateCandidate(staging, this.host.currentModel());
      const dir = await this.installer.adopt(staging, version);
      await this.installer.activate(version);
      candidate.dir = dir;
      this.beforeSwitch = this.host.currentModel();
      this.host.requestModelSwitch({ model: candidate, decisions: this.decisionsFor(candidate) });
      this.logger.info({ version, previous: running, via }, 'model update verified and installed; switching between windows');
      return 'installed';
    } catch (err) {
      this.logger.error({ version, via, err: describeError(err) }, 'model update refused; keeping the current model');
      return 'refused';
    } finally {
      this.busy = false;
    }
  }

  /**
   * Downloads come from the station's own configured cloud, whatever host an
   * announcement names (an announcement can carry an internal address, and a
   * station should not fetch from wherever a broker message points).
   */
  private rebase(manifestUrl: string): string {
    if (!this.options.baseUrl) return manifestUrl;
    try {
      const announced = new URL(manifestUrl, this.options.baseUrl);
      const base = new URL(this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
      return new URL(`${announced.pathname.replace(/^\//, '')}${announced.search}`, base).toString();
    } catch {
      return manifestUrl;
    }
  }

  /** Runner hook: the running model failed. Mark it bad and fall back. */
  async onClassifierFailure(error: unknown, failed: ModelPackage): Promise<ModelSwitch | undefined> {
    const version = failed.metadata.version;
    this.kv.set(BAD_VERSIONS_KEY, [...new Set([...this.badVersions(), version])]);
    this.logger.error({ version, err: describeError(error) }, 'model failed at run time; rolling back');
    let fallback = this.beforeSwitch && this.beforeSwitch !== failed ? this.beforeSwitch : undefined;
    if (this.installer.currentVersion() === version) await this.installer.rollBack().catch(() => undefined);
    if (!fallback) {
      const previous = this.installer.previousVersion();
      const dirs = [previous && previous !== version ? this.installer.dirOf(previous) : undefined, this.fallbackModelDir].filter((d): d is string => Boolean(d));
      for (const dir of dirs) {
        fallback = await loadModelPackage(dir).catch(() => undefined);
        if (fallback && fallback.metadata.version !== version) break;
        fallback = undefined;
      }
    }
    this.beforeSwitch = undefined;
    if (!fallback) return undefined;
    this.logger.warn({ from: version, to: fallback.metadata.version }, 'rolled back to the previous model');
    return { model: fallback, decisions: this.decisionsFor(fallback) };
  }

  private badVersions(): string[] {
    return this.kv.get<string[]>(BAD_VERSIONS_KEY) ?? [];
  }
}
