/**
 * Which instance ingests station messages. Exactly one process may hold the
 * ingest link's fixed MQTT session (two would disconnect each other), and the
 * incident correlator must see every alert, so with several API instances one
 * of them leads and the others serve HTTP only.
 */
export interface IngestLeadership {
  /** Calls `onChange(true)` when this instance becomes the leader and `onChange(false)` when it stops being one. */
  start(onChange: (leading: boolean) => void): void;
  stop(): Promise<void>;
  readonly leading: boolean;
  /** For /status and logs. */
  readonly describe: string;
}

/** One instance (SQLite index on its own disk): it always leads. */
export class SoleInstance implements IngestLeadership {
  leading = false;
  readonly describe = 'sole instance';

  start(onChange: (leading: boolean) => void): void {
    this.leading = true;
    onChange(true);
  }

  async stop(): Promise<void> {
    this.leading = false;
  }
}
