import { randomBytes } from 'node:crypto';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { migrate, MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../../src/db/migrate.js';
import { appendEvents } from '../../src/events/appendEvents.js';
import { checkpointOf, readAll, type Checkpoint } from '../../src/events/readAll.js';
import type { NewEvent } from '../../src/events/types.js';
import { readRelayEvents } from '../../src/reactors/relay/readRelayEvents.js';

// An existing database moves to appending in commit order in place (migration 0016): events
// appended before keep their positions and their place in the old order (transaction, position),
// which is where every checkpoint stands; events after come after all of them, in position order. A
// reader part-way through the old history goes on from its checkpoint and sees each event once, and
// the revisions the relay counts for old streams (already published to KurrentDB) do not move.

let serverUrl: string;
let name: string;
let pool: pg.Pool;
let databaseUrl: string;

const event = (key: string): NewEvent => ({
  type: 'CallbackIgnored',
  streamId: 'conversation-cutover',
  idempotencyKey: key,
  data: { eventType: 'test.cutover', reason: 'unknown event type', properties: { key } },
  metadata: { receivedAt: new Date(0).toISOString(), source: 'api' },
});

beforeAll(async () => {
  serverUrl = inject('databaseServerUrl');
  name = `tf_cutover_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // The schema as it was before 0016: the twelve migrations up to 0015.
  databaseUrl = url.toString();
  await runner({ databaseUrl, dir: MIGRATIONS_DIR, migrationsTable: MIGRATIONS_TABLE, direction: 'up', count: 12, log: () => {} });
  pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
});

afterAll(async () => {
  await pool.end();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('the cut-over to commit-order positions', () => {
  it('keeps the old order up to it, continues every checkpoint, and renumbers nothing', async () => {
    const { rows: applied } = await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name DESC LIMIT 1`);
    expect(applied[0]!.name).toBe('0015_conversations-newest-first');

    // Under the old rule positions could be drawn out of commit order: the earlier transaction
    // (smaller id) draws the larger position.
    const early = await pool.connect();
    const late = await pool.connect();
    await early.query('BEGIN');
    await early.query('SELECT pg_current_xact_id()');
    await late.query('BEGIN');
    await appendEvents(late, [event('cutover/late')]);
    await appendEvents(early, [event('cutover/early')]);
    await late.query('COMMIT');
    await early.query('COMMIT');
    early.release();
    late.release();

    const old = await pool.query<{ idempotency_key: string; position: string; transaction_id: string }>(
      'SELECT idempotency_key, position, transaction_id FROM events ORDER BY transaction_id, position',
    );
    expect(old.rows.map((r) => r.idempotency_key)).toEqual(['cutover/early', 'cutover/late']);
    expect(BigInt(old.rows[0]!.position)).toBeGreaterThan(BigInt(old.rows[1]!.position));
    // A reader (the relay, say) that had read and published the first of them, in the old order.
    const checkpoint: Checkpoint = checkpointOf({ transactionId: old.rows[0]!.transaction_id, position: old.rows[0]!.position });
    const revisionsBefore = (
      await readRelayEvents(
        pool,
        old.rows.map((r) => r.position),
      )
    ).map((e) => [e.position, e.revision]);

    await migrate(databaseUrl);
    await appendEvents(pool, [event('cutover/after')]);

    const rest = await readAll(pool, checkpoint, 100);
    const keys = await pool.query<{ position: string; idempotency_key: string }>(
      'SELECT position, idempotency_key FROM events WHERE position = ANY($1::bigint[])',
      [rest.map((h) => h.position)],
    );
    const byPosition = new Map(keys.rows.map((r) => [r.position, r.idempotency_key]));
    expect(rest.map((h) => byPosition.get(h.position))).toEqual(['cutover/late', 'cutover/after']);

    // Positions and old revisions as they were; the new event is the stream's next.
    const all = await pool.query<{ position: string }>('SELECT position FROM events');
    const relayed = await readRelayEvents(
      pool,
      all.rows.map((r) => r.position),
    );
    expect(relayed.slice(0, 2).map((e) => [e.position, e.revision])).toEqual(revisionsBefore);
    expect(relayed.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    const { rows: cut } = await pool.query<{ position: string }>('SELECT position::text FROM event_order_cutover');
    expect(cut[0]!.position).toBe(old.rows[0]!.position);
  });
});
