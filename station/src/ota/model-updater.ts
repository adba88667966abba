import type { KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { describeError } from '#shared/errors.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { modelAnnounceTopic } from '#shared/mqtt/topics.js';
import type { Manifest } from '#shared/release/manifest.js';
import { ReleaseAnnouncementSchema, type ReleaseAnnouncement } from '#shared/release/pointer.js';
import { latestReleaseUrl, releaseManifestUrl } from '#shared/release/urls.js';
import { inBackground } from '#shared/util/background.js';
import type { Logger } from '#shared/util/logger.js';
import { assertSafeName } from '#shared/util/safe-name.js';
import { parseWire } from '#shared/util/wire-check.js';
import type { MqttLink } from '../actions/mqtt-link.js';
import type { ClassDecision } from '#shared/pipeline/event-detector.js';
import type { ModelSwitch } from '../pipeline/runner.js';
import type { KeyValueStore } from '../store/kv.js';
import type { Service } from '../core/service.js';
import { fetchBytes } from './http-fetch.js';
import type { ModelInstaller } from './model-installer.js';
import { validateCandidate } from './model-validator.js';
import { ReleaseRefusedError } from './ota-errors.js';
import { downloadRelease } from './release-download.js';
import { judgeVersion } from './version-policy.js';

export interface ModelUpdaterOptions {
  /** Cloud base URL; empty disables polling (MQTT announcements still work). */
  baseUrl: string;
  pollIntervalMs: number;
  /** Verifies releases; without it every update is refused (unsigned models are never installed). */
  publicKey: KeyObject | undefined;
  /** When set, only this exact version is accepted (it may be older: an operator's rollback). */
  pinnedVersion: string;
  mqttPrefix: string;
  /** Sent with the poll and every release download to the configured cloud (never to another host). */
  stationToken?: string;
}

/** What the updater needs from the running pipeline. */
export interface ModelHost {
  currentModel(): ModelPackage;
  requestModelSwitch(next: ModelSwitch): void;
}

/**
 * `refused`: will not change on a retry (bad signature, version mismatch,
 * downgrade, failed validation); `deferred`: might (link lost, file short),
 * asked again at the next poll.
 */
export type UpdateOutcome = 'installed' | 'up-to-date' | 'refused' | 'deferred' | 'busy';

const BAD_VERSIONS_KEY = 'ota.badVersions';
const ETAG_KEY = 'ota.etag';
const MAX_POINTER_BYTES = 64 * 1024;

/**
 * Over-the-air model updates: polls the cloud (with ETag) and listens to the
 * retained announcement topic; verifies the signed release, validates the
 * model on its reference clips, installs it atomically, switches between
 * windows, and rolls back if the new model fails at run time. Everything that
 * arrives from the network is checked against the release contract's schema
 * before use; the signed manifest's version is the one every check applies to.
 */
export class ModelUpdater implements Service {
  readonly name = 'ota';
  private busy = false;
  private pending: string | null = null;
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
    this.link?.subscribe(modelAnnounceTopic(this.options.mqttPrefix), (payload) => this.onAnnouncement(payload));
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

  /** The version being downloaded, verified and switched to right now, if any (status page). */
  get pendingVersion(): string | null {
    return this.pending;
  }

  /** One poll of the cloud's latest release (latestReleaseUrl). */
  async poll(): Promise<UpdateOutcome> {
    const url = latestReleaseUrl(this.options.baseUrl);
    try {
      const headers: Record<string, string> = { ...this.authHeaders(url) };
      const etag = this.kv.get<string>(ETAG_KEY);
      if (etag) headers['if-none-match'] = etag;
      const res = await fetchBytes(url, MAX_POINTER_BYTES, AbortSignal.any([this.signal, AbortSignal.timeout(30_000)]), headers);
      if (res.status === 304) return 'up-to-date';
      const latest = parseWire(ReleaseAnnouncementSchema, res.bytes, `${url} answer`);
      const outcome = await this.consider(latest.version, this.manifestUrlFor(latest), 'poll');
      // Remember the answer only once it is final: after a dropped download the next poll must ask again.
      const newTag = res.headers.get('etag');
      if (newTag && (outcome === 'installed' || outcome === 'up-to-date' || outcome === 'refused')) this.kv.set(ETAG_KEY, newTag);
      return outcome;
    } catch (err) {
      this.logger.warn({ url, err: describeError(err) }, 'model update check failed; will retry');
      return 'deferred';
    }
  }

  /** Decides on an announced release and, if acceptable, installs and switches to it. */
  async consider(version: string, manifestUrl: string, via: string): Promise<UpdateOutcome> {
    try {
      assertSafeName('announced release version', version);
    } catch (err) {
      this.logger.warn({ via, err: describeError(err) }, 'model announcement refused');
      return 'refused';
    }
    const running = this.host.currentModel().metadata.version;
    const announced = judgeVersion(version, running, this.options.pinnedVersion, this.badVersions());
    if (!announced.go) {
      if (announced.outcome === 'refused') this.logger.warn({ version, running, via, reason: announced.reason }, 'model release refused');
      return announced.outcome;
    }
    const publicKey = this.options.publicKey;
    if (!publicKey) return 'refused';
    if (this.busy) return 'busy';
    this.busy = true;
    this.pending = version;
    const staging = this.installer.stagingDir(version);
    try {
      const manifest = await downloadRelease(manifestUrl, {
        publicKey, stagingDir: staging, signal: this.signal, headers: this.authHeaders(manifestUrl),
        accept: (signed) => this.acceptSigned(signed, version, running),
      });
      const candidate = await validateCandidate(staging, this.host.currentModel(), manifest.version).catch((err: unknown) => {
        throw new ReleaseRefusedError(describeError(err), true, { cause: err });
      });
      const dir = await this.installer.adopt(staging, manifest.version);
      await this.installer.activate(manifest.version);
      candidate.dir = dir;
      this.beforeSwitch = this.host.currentModel();
      this.host.requestModelSwitch({ model: candidate, decisions: this.decisionsFor(candidate) });
      this.logger.info({ version: manifest.version, previous: running, via }, 'model update verified and installed; switching between windows');
      return 'installed';
    } catch (err) {
      // A release that failed validation leaves nothing behind (the download cleans up after itself).
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      const permanent = err instanceof ReleaseRefusedError && err.permanent;
      this.logger.error({ version, via, err: describeError(err), retry: !permanent }, permanent ? 'model update refused; keeping the current model' : 'model update failed; keeping the current model and trying again later');
      return permanent ? 'refused' : 'deferred';
    } finally {
      this.busy = false;
      this.pending = null;
    }
  }

  /**
   * The signed manifest names the version that counts: it must be the announced
   * one (an old, validly signed release replayed under a new number is refused),
   * and the downgrade and pin rules apply to it.
   */
  private acceptSigned(manifest: Manifest, announced: string, running: string): void {
    if (manifest.version !== announced) {
      throw new ReleaseRefusedError(`the signed manifest is version ${manifest.version}, the announcement said ${announced}`, true);
    }
    const verdict = judgeVersion(manifest.version, running, this.options.pinnedVersion, this.badVersions());
    if (!verdict.go) throw new ReleaseRefusedError(`signed version ${manifest.version}: ${verdict.reason}`, true);
  }

  private onAnnouncement(payload: Buffer): void {
    let announce: ReleaseAnnouncement;
    try {
      announce = parseWire(ReleaseAnnouncementSchema, payload, 'model announcement');
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'model announcement refused');
      return;
    }
    inBackground(this.consider(announce.version, this.manifestUrlFor(announce), 'mqtt'), this.logger, 'model announcement');
  }

  /**
   * Downloads come from the station's own configured cloud, built from the
   * version by the release contract, whatever URL the announcement names (it can
   * carry an internal address, and a station should not fetch from wherever a
   * broker message points). Without ota.url the announced URL is all there is;
   * the signature still decides.
   */
  private manifestUrlFor(announce: ReleaseAnnouncement): string {
    return this.options.baseUrl ? releaseManifestUrl(this.options.baseUrl, announce.version) : announce.manifestUrl;
  }

  /** The station token, only for URLs on the configured cloud (a hostile announcement must not collect it). */
  private authHeaders(url: string): Record<string, string> {
    const token = this.options.stationToken;
    if (!token || !this.options.baseUrl) return {};
    try {
      return new URL(url).origin === new URL(this.options.baseUrl).origin ? { 'x-station-token': token } : {};
    } catch {
      return {};
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
