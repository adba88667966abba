import pg from 'pg';

/** Statement parameters by name: `@name` in the SQL text becomes `$n`. */
export type SqlParams = Readonly<Record<string, unknown>>;

/** Where the index lives on a PostgreSQL server. */
export interface PgTarget {
  /** `postgres://user:password@host:port/database` (DATABASE_URL); `?sslmode=require` for TLS. */
  url: string;
  /** Schema holding the tables (created if missing): `ecosight` unless a test or a rebuild picks another. */
  schema: string;
  /** Most connections this process opens (default 10). */
  maxConnections?: number;
  /**
   * Told when an idle connection fails (the server restarted, a network blip): the pool
   * drops it and opens another on the next query. Without a listener Node would treat
   * the pool's 'error' event as fatal.
   */
  onIdleError?: (err: Error) => void;
}

export const DEFAULT_PG_SCHEMA = 'ecosight';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A connection pool whose connections see only the index's schema. BIGINT
 * (COUNT(*), byte sizes) comes back as a JS number, as from SQLite: the values
 * here stay far below 2^53.
 */
export function createPgPool(target: PgTarget): pg.Pool {
  if (!SCHEMA_NAME.test(target.schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(target.schema)}`);
  const getTypeParser = ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;
  const pool = new pg.Pool({
    connectionString: target.url,
    options: `-c search_path=${target.schema}`,
    types: { getTypeParser },
    max: target.maxConnections ?? 10,
  });
  pool.on('error', (err) => target.onIdleError?.(err));
  return pool;
}

/** Rewrites `@name` placeholders to PostgreSQL's `$n`, each name bound once. */
export function named(sql: string, params: SqlParams): { text: string; values: unknown[] } {
  const names: string[] = [];
  const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    if (!(name in params)) throw new Error(`SQL parameter @${name} has no value`);
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text, values: names.map((n) => params[n] ?? null) };
}

/** The few query shapes the repositories use, over a pool. */
export class PgDb {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async rows<T>(sql: string, params: SqlParams = {}): Promise<T[]> {
    return (await this.pool.query(named(sql, params))).rows as T[];
  }

  async one<T>(sql: string, params: SqlParams = {}): Promise<T | undefined> {
    return (await this.rows<T>(sql, params))[0];
  }

  /** Runs a statement; resolves to the number of rows it touched. */
  async run(sql: string, params: SqlParams = {}): Promise<number> {
    return (await this.pool.query(named(sql, params))).rowCount ?? 0;
  }

  /** Runs `fn` on one connection inside BEGIN/COMMIT (ROLLBACK when it throws). */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
