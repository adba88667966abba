import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`, newest first); undefined when not installed. */
export function postgresBinDir(): string | undefined {
  if (process.env.POSTGRES_BIN_DIR) return existsSync(join(process.env.POSTGRES_BIN_DIR, 'initdb')) ? process.env.POSTGRES_BIN_DIR : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return majors.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  return postgresBinDir() ? undefined : 'PostgreSQL binaries not found (apt-get install postgresql, or set POSTGRES_BIN_DIR): PostgreSQL cases skipped';
}

/**
 * A private PostgreSQL server for tests: `initdb` into a temp dir, listening on
 * a free port on 127.0.0.1 (and a socket in that dir), trust auth for `postgres`.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 * stop() shuts it down and removes the dir.
 */
export class TestPostgres {
  port = 0;
  private dir: string | undefined;
  private bin = '';
  private databases = 0;

  /** A connection URL to `database` (default: the server's `postgres` database). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    if (this.dir) return;
    const bin = postgresBinDir();
    if (!bin) throw new Error(postgresUnavailable());
    this.bin = bin;
    this.dir = mkdtempSync(join(tmpdir(), 'ecosight-postgres-'));
    if (asRoot()) chownSync(this.dir, ...postgresIds());
    this.port = await freePort();
    const data = join(this.dir, 'data');
    await this.pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
    // Durability is not under test: fsync off keeps the suite fast on a shared machine.
    const options = `-c listen_addresses=127.0.0.1 -p ${this.port} -k ${this.dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await this.pg('pg_ctl', ['-D', data, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-s', '-o', options, 'start']);
  }

  /** A new, empty database on this server: one per test keeps tests apart. */
  async createDatabase(): Promise<string> {
    const name = `test_${process.pid}_${++this.databases}`;
    await this.pg('psql', ['-h', this.dir as string, '-p', String(this.port), '-U', 'postgres', '-q', '-c', `CREATE DATABASE ${name}`]);
    return this.url(name);
  }

  /** Restarts the server on the same port with its data (fast shutdown: open connections are cut). */
  async restart(): Promise<void> {
    if (!this.dir) throw new Error('TestPostgres is not running');
    await this.pg('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-m', 'fast', '-w', '-t', '60', '-s', 'restart']);
  }

  async stop(): Promise<void> {
    const dir = this.dir;
    if (!dir) return;
    this.dir = undefined;
    try {
      await this.pg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', '-s', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [file, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(file, argv, { cwd: tmpdir(), timeout: 120_000 });
    } catch (err) {
      const { stderr, stdout } = err as { stderr?: string; stdout?: string };
      throw new Error(`${tool} failed: ${(stderr || stdout || (err as Error).message).trim()}`);
    }
  }
}

function asRoot(): boolean {
  return process.getuid?.() === 0;
}

function postgresIds(): [number, number] {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return [id('-u'), id('-g')];
}
