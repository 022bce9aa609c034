import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kurrentStreams, type StreamStore } from '../../src/reactors/relay/kurrentStreams.js';
import { Relay } from '../../src/reactors/relay/relay.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';
import { startKurrentDb, type KurrentDbTarget } from '../support/kurrentDb.js';
import { appendConversations, expectedStreams, publishedStreams, tavusIdPrefix } from '../support/relayHistory.js';

// `tavus-feedback relay status` and `relay reset --from`, as real processes, beside a relay.

let database: { url: string; drop: () => Promise<void> };
let pool: pg.Pool;
let kurrent: KurrentDbTarget;
let store: StreamStore;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  kurrent = await startKurrentDb();
  store = kurrentStreams(kurrent.url);
});

afterAll(async () => {
  await store.close();
  await kurrent.close();
  await pool.end();
  await database.drop();
});

const cli = (...args: string[]) => runCli(args, { env: { DATABASE_URL: database.url } });

describe('relay status and reset', () => {
  it('show the lag, and publish again from a position without doubling anything', async () => {
    const prefix = tavusIdPrefix();
    await appendConversations(pool, prefix, 4, 3);
    let status = cli('relay', 'status');
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/checkpoint\s+none: the relay has not published anything yet/);
    expect(status.stdout).toMatch(/lag\s+12 events/);
    expect(status.stdout).toMatch(/running in\s+no instance/);

    const relay = new Relay(pool, store, { logger: pino({ level: 'silent' }) });
    await relay.drain();
    status = cli('relay', 'status');
    expect(status.stdout).toMatch(/lag\s+0 events/);

    const { rows } = await pool.query<{ position: string }>('SELECT position FROM events ORDER BY transaction_id, position');
    const reset = cli('relay', 'reset', '--from', rows[5]!.position);
    expect(reset.status, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/7 events to publish/);
    expect(reset.stdout).toMatch(/not appended again/);
    expect(await relay.drain()).toBe(7);
    const expected = await expectedStreams(pool, prefix);
    expect(await publishedStreams(store, expected.keys())).toEqual(expected);

    expect(cli('relay', 'reset', '--from', '0').stdout).toMatch(/12 events to publish/);
    expect(await relay.drain()).toBe(12);
    expect(await publishedStreams(store, expected.keys())).toEqual(expected);
  });

  it('refuse what they cannot do, changing nothing', async () => {
    const before = cli('relay', 'status').stdout;
    const missing = cli('relay', 'reset', '--from', '987654321');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no event at position 987654321/);
    expect(cli('relay', 'reset').status).toBe(2);
    expect(cli('relay', 'reset', '--from', '-3').status).toBe(2);
    expect(cli('relay', 'restart').stderr).toMatch(/unknown command 'restart'/);
    expect(cli('relay', 'status').stdout.split('\n').slice(0, 2)).toEqual(before.split('\n').slice(0, 2));
  });
});

describe('leases', () => {
  it('shows which instance holds each job, and which holder stopped renewing', async () => {
    expect(cli('leases').stdout).toMatch(/^no lease is held/);
    await pool.query(`INSERT INTO leases VALUES ('relay', 'host-a/101/aaaaaa', now(), now() + interval '5 minutes'),
                                                ('reconcile', 'host-b/202/bbbbbb', now() - interval '1 minute', now() - interval '50 seconds')`);
    try {
      const leases = cli('leases');
      expect(leases.status, leases.stderr).toBe(0);
      expect(leases.stdout).toMatch(/^reconcile {2}host-b\/202\/bbbbbb {2}expired .*stopped renewing/m);
      expect(leases.stdout).toMatch(/^relay {6}host-a\/101\/aaaaaa {2}since .*renewed until/m);
      expect(cli('relay', 'status').stdout).toMatch(/running in\s+host-a\/101\/aaaaaa \(since/);
    } finally {
      await pool.query('DELETE FROM leases');
    }
  });
});
