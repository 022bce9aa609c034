import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/events/appendEvents.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';

// The only wait left is an appender's, behind another appender's lock (migration 0016). When one
// holds it (a session that inserted events and sits in its transaction), callbacks wait for it, up
// to the lock's 5 s timeout, and the log names the holder once: pid, database, age.

const lines: Record<string, unknown>[] = [];
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) });
});
afterAll(async () => {
  await h.close();
});

describe('an appender stuck in its transaction', () => {
  it('holds the others back until it ends, and is named in the log once', async () => {
    const conversations = await Promise.all([h.startConversation(randomUUID()), h.startConversation(randomUUID())]);
    const stuck = await h.db.connect();
    try {
      await stuck.query('BEGIN');
      const pid = (await stuck.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await appendEvents(stuck, [
        {
          type: 'CallbackIgnored',
          streamId: 'conversation-stuck',
          idempotencyKey: `stuck/${randomUUID()}`,
          data: { eventType: 'test.stuck', reason: 'unknown event type', properties: null },
          metadata: { receivedAt: new Date().toISOString(), source: 'api' },
        },
      ]);
      const answers = conversations.map((c, i) =>
        new Promise((r) => setTimeout(r, i * 1_200)).then(() => h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, 4))),
      );
      await new Promise((r) => setTimeout(r, 3_000));
      await stuck.query('ROLLBACK');
      expect((await Promise.all(answers)).map((a) => a.status)).toEqual([200, 200]);
      const named = lines.filter((l) => String(l.msg).startsWith('appends are waiting for a transaction'));
      expect(named).toHaveLength(1);
      expect(named[0]).toMatchObject({ pid, database: new URL(h.databaseUrl).pathname.slice(1), state: 'idle in transaction' });
      expect(named[0]!.ageSeconds).toBeGreaterThan(0.9);
    } finally {
      stuck.release();
    }
  });
});
