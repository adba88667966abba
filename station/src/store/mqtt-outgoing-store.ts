import { createHash } from 'node:crypto';
import type { IStore, Packet, PacketCallback } from 'mqtt';
// mqtt.js's IStore is typed against readable-stream's Readable (its own dependency).
import { Readable } from 'readable-stream';
import type { Db } from '../core/db.js';

interface Row {
  message_id: number;
  packet_json: string;
  outbox_id: number | null;
}

/**
 * mqtt.js's outgoing store, kept in the station's SQLite database so that QoS 2
 * handshakes survive a power cut. Together with a persistent session on the
 * broker this makes alerts exactly-once: a publish that was stored (and maybe
 * already received by the broker) before a crash is resent with the same
 * packet id after restart, which the broker recognises, instead of being
 * published again as a new message.
 *
 * Each stored publish is linked to the outbox item it came from; storing it
 * marks the item `handed` (the MQTT layer owns it now) in the same
 * transaction, and the broker's final acknowledgement marks it `done`.
 */
export class SqliteOutgoingStore implements IStore {
  /** Payload digest -> outbox item id, set by the publisher just before publishing. */
  private readonly expected = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly onDelivered: (outboxId: number, nowMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next publish of exactly this payload belongs to outbox item `outboxId`. */
  expect(payload: Buffer, outboxId: number): void {
    this.expected.set(digest(payload), outboxId);
  }

  put(packet: Packet, cb: (err?: Error) => void): this {
    try {
      this.db.transaction(() => {
        const existing = this.db.prepare(`SELECT outbox_id FROM mqtt_outgoing WHERE message_id = ?`).get(packet.messageId) as { outbox_id: number | null } | undefined;
        let outboxId = existing?.outbox_id ?? null;
        if (packet.cmd === 'publish') {
          const key = digest(toBuffer(packet.payload));
          outboxId = this.expected.get(key) ?? null;
          this.expected.delete(key);
        }
        this.db.prepare(
          `INSERT INTO mqtt_outgoing (message_id, packet_json, outbox_id, stored_at_ms) VALUES (?, ?, ?, ?)
           ON CONFLICT (message_id) DO UPDATE SET packet_json = excluded.packet_json, outbox_id = excluded.outbox_id`,
        ).run(packet.messageId, serialize(packet), outboxId, this.now());
        if (outboxId !== null) this.db.prepare(`UPDATE outbox SET state = 'handed' WHERE id = ? AND state = 'pending'`).run(outboxId);
      })();
    } catch (err) {
      cb(err as Error);
      return this;
    }
    cb();
    return this;
  }

  createStream(): Readable {
    const rows = this.db.prepare(`SELECT * FROM mqtt_outgoing ORDER BY stored_at_ms, message_id`).all() as Row[];
    return Readable.from(rows.map((r) => deserialize(r.packet_json)));
  }

  del(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    let row: Row | undefined;
    try {
      this.db.transaction(() => {
        row = this.db.prepare(`SELECT * FROM mqtt_outgoing WHERE message_id = ?`).get(packet.messageId) as Row | undefined;
        if (!row) return;
        this.db.prepare(`DELETE FROM mqtt_outgoing WHERE message_id = ?`).run(packet.messageId);
        if (row.outbox_id !== null) this.onDelivered(row.outbox_id, this.now());
      })();
    } catch (err) {
      cb(err as Error);
      return this;
    }
    if (!row) cb(new Error('missing packet'));
    else cb(undefined, deserialize(row.packet_json));
    return this;
  }

  get(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const row = this.db.prepare(`SELECT * FROM mqtt_outgoing WHERE message_id = ?`).get(packet.messageId) as Row | undefined;
    if (!row) cb(new Error('missing packet'));
    else cb(undefined, deserialize(row.packet_json));
    return this;
  }

  close(cb: (err?: Error) => void): void {
    cb();
  }

  /** Publishes the MQTT layer still owes the broker (for telemetry and drain checks). */
  count(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM mqtt_outgoing`).get() as { n: number }).n;
  }
}

function toBuffer(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  return Buffer.alloc(0);
}

function digest(payload: Buffer): string {
  return createHash('sha256').update(payload).digest('hex');
}

function serialize(packet: Packet): string {
  // A replacer sees Buffers after their toJSON(); read the raw value from the holder instead.
  return JSON.stringify(packet, function (this: Record<string, unknown>, key: string, value: unknown) {
    if (key === 'payload') return { $buffer: toBuffer(this[key]).toString('base64') };
    return value;
  });
}

function deserialize(json: string): Packet {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$buffer' in (value as object)) return Buffer.from((value as { $buffer: string }).$buffer, 'base64');
    // JSON turns Buffers nested elsewhere into {type: 'Buffer', data: [...]}.
    if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
      return Buffer.from((value as { data: number[] }).data);
    }
    return value;
  }) as Packet;
}
