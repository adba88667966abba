import type { LoggingAlertPayload } from '#shared/mqtt/payloads.js';
import { loggingApplySql, loggingParams, toLoggingAlertRecord, type LoggingAlertRecord, type LoggingAlertRow, type LoggingRepo } from '../logging-repo.js';
import type { PgDb } from './pg-db.js';

const APPLY = `${loggingApplySql('GREATEST')} RETURNING *`;

export class PgLoggingRepo implements LoggingRepo {
  private readonly db: PgDb;

  constructor(db: PgDb) {
    this.db = db;
  }

  async apply(p: LoggingAlertPayload, nowIso: string): Promise<LoggingAlertRecord> {
    return toLoggingAlertRecord((await this.db.one<LoggingAlertRow>(APPLY, loggingParams(p, nowIso))) as LoggingAlertRow);
  }

  async get(alertId: string): Promise<LoggingAlertRecord | undefined> {
    const row = await this.db.one<LoggingAlertRow>('SELECT * FROM logging_alerts WHERE alert_id = @alertId', { alertId });
    return row ? toLoggingAlertRecord(row) : undefined;
  }

  async list(limit: number): Promise<LoggingAlertRecord[]> {
    return (await this.db.rows<LoggingAlertRow>('SELECT * FROM logging_alerts ORDER BY start_time DESC LIMIT @limit', { limit })).map(toLoggingAlertRecord);
  }
}
