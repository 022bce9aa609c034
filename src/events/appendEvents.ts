import type pg from 'pg';
import { jsonOf } from './json.js';
import type { AppendableEvent } from './types.js';
import { hasUnreadableText, UnreadableTextError } from './unreadableJson.js';

// The store's own append: events and nothing else, in one statement, batch-shaped. What is already
// in the history (its idempotency key taken, racing duplicates included) is skipped by the
// constraint. Commands write through their door (src/commands/groupCommit.ts), which appends their
// deliveries and claims in the same statement; this is for everything that appends plain facts.

const SQL = `
INSERT INTO events (stream_id, type, data, metadata, idempotency_key)
SELECT * FROM unnest($1::text[], $2::text[], $3::json[], $4::jsonb[], $5::text[])
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING idempotency_key`;

/** Appends what is new; answers the idempotency keys appended. */
export async function appendEvents(db: pg.Pool | pg.PoolClient, events: AppendableEvent[]): Promise<{ appended: Set<string> }> {
  if (events.length === 0) return { appended: new Set() };
  const data = events.map((e) => {
    const json = jsonOf(e.data);
    if (hasUnreadableText(json))
      throw new UnreadableTextError(`${e.type} holds a NUL character or an unpaired UTF-16 surrogate, which Postgres cannot read back`);
    return json;
  });
  const { rows } = await db.query<{ idempotency_key: string }>(SQL, [
    events.map((e) => e.streamId),
    events.map((e) => e.type),
    data,
    events.map((e) => JSON.stringify(e.metadata)),
    events.map((e) => e.idempotencyKey),
  ]);
  return { appended: new Set(rows.map((r) => r.idempotency_key)) };
}
