import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

/**
 * A real Mosquitto broker on a private port on 127.0.0.1, for integration tests.
 * It can be stopped and started again on the same port to simulate link loss.
 */
export interface MosquittoSecurity {
  /** PEM files for a TLS listener. */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** Only these users may connect. */
  users?: Record<string, string>;
  /**
   * Keep sessions (subscriptions, queued QoS 1 messages for offline persistent
   * clients) across stop/start, as a field broker with `persistence true` does.
   */
  persistence?: boolean;
  /** Generated password and ACL files (e.g. by `ecosight-cloud mqtt-acl`): copied in and used as they are. */
  authFiles?: { passwords: string; acl: string };
}

export class TestMosquitto {
  port = 0;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ecosight-mosquitto-'));

  constructor(private readonly security: MosquittoSecurity = {}) {}

  get url(): string {
    return `${this.security.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child) return;
    if (!this.port) this.port = await freePort();
    const conf = join(this.dir, 'mosquitto.conf');
    const lines = [`listener ${this.port} 127.0.0.1`, 'log_dest none'];
    const { tls, users, persistence } = this.security;
    if (persistence) {
      const store = join(this.dir, 'store');
      mkdirSync(store, { recursive: true });
      // Mosquitto started as root drops to its own user before writing its database.
      chmodSync(this.dir, 0o755);
      chmodSync(store, 0o777);
      lines.push('persistence true', `persistence_location ${store}/`);
    } else {
      lines.push('persistence false');
    }
    if (tls) lines.push(`cafile ${tls.caFile}`, `certfile ${tls.certFile}`, `keyfile ${tls.keyFile}`);
    if (users) {
      const passwords = join(this.dir, 'passwords');
      writeFileSync(passwords, '');
      for (const [user, password] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', passwords, user, password]);
      // Mosquitto started as root drops to its own user before reading the password file.
      chmodSync(this.dir, 0o755);
      chmodSync(passwords, 0o644);
      lines.push('allow_anonymous false', `password_file ${passwords}`);
    } else if (this.security.authFiles) {
      const passwords = join(this.dir, 'passwd');
      const acl = join(this.dir, 'acl');
      writeFileSync(passwords, this.security.authFiles.passwords);
      writeFileSync(acl, this.security.authFiles.acl);
      chmodSync(this.dir, 0o755);
      chmodSync(passwords, 0o644);
      chmodSync(acl, 0o644);
      lines.push('allow_anonymous false', `password_file ${passwords}`, `acl_file ${acl}`);
    } else {
      lines.push('allow_anonymous true');
    }
    writeFileSync(conf, lines.join('\n') + '\n');
    const child = spawn(process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
    this.child = child;
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    await waitFor(() => canConnect(this.port), 10_000, `mosquitto on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

function canConnect(port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}
