import type Database from 'better-sqlite3';

/**
 * The station database handle. Its schema and repositories live in `store/`;
 * the type lives here so a stage that keeps its own rows (the folder source's
 * processed files) does not import the store.
 */
export type Db = Database.Database;
