import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { ConversationPage } from '../../src/http/openapi/answers.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, JWT_SECRET, json, startHarness, type Harness } from '../support/harness.js';

// GET /conversations: a user's own, newest first, a page at a time; the operator's everyone's, by user
// and status. Every page read through the cursor, nothing repeated, nothing skipped.

let h: Harness;
let operator: string;
const alice = randomUUID();
const bob = randomUUID();
const started: Record<string, string[]> = { [alice]: [], [bob]: [] };

beforeAll(async () => {
  h = await startHarness();
  operator = await issueServiceRoleToken(JWT_SECRET);
  const alices: { conversationId: string; callbackUrl: string }[] = [];
  for (const [user, n] of [
    [alice, 5],
    [bob, 2],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const c = await h.startConversation(user);
      started[user]!.push(c.id);
      if (user === alice) alices.push(c);
    }
  }
  // Two of Alice's end.
  for (const c of alices.slice(0, 2)) {
    expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId))).status).toBe(200);
  }
  await h.service.runner.drain();
});
afterAll(async () => {
  await h.close();
});

async function list(query: string, as: { user?: string; token?: string }) {
  const token = as.token ?? (await h.tokenFor(as.user!));
  return fetch(`${h.service.url}/conversations${query}`, { headers: { authorization: `Bearer ${token}` } });
}

/** Every page, following nextCursor; answers the ids in the order served. */
async function allPages(query: string, as: { user?: string; token?: string }, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const sep = query ? '&' : '?';
    const response = await list(`${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, as);
    expect(response.status).toBe(200);
    const body = ConversationPage.parse(await json(response));
    expect(body.conversations.length).toBeLessThanOrEqual(limit);
    ids.push(...body.conversations.map((c) => c.id));
    cursor = body.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('more than 50 pages');
}

describe('GET /conversations', () => {
  it('gives a user their own conversations, newest first, page by page', async () => {
    expect(await allPages('', { user: alice }, 2)).toEqual([...started[alice]!].reverse());
    expect(await allPages('', { user: bob }, 20)).toEqual([...started[bob]!].reverse());
    const first = ConversationPage.parse(await json(await list('', { user: alice })));
    expect(first.conversations).toHaveLength(5);
    expect(first.nextCursor).toBeNull();
    expect(first.conversations.every((c) => c.user_id === alice)).toBe(true);
  });

  it('filters by status, for users too', async () => {
    const completed = await allPages('?status=completed', { user: alice }, 1);
    expect(completed.sort()).toEqual(started[alice]!.slice(0, 2).sort());
    expect(await allPages('?status=completed', { user: bob }, 5)).toEqual([]);
  });

  it("gives the operator everyone's, or one user's, by status", async () => {
    const everyone = await allPages('', { token: operator }, 3);
    expect(everyone.sort()).toEqual([...started[alice]!, ...started[bob]!].sort());
    expect(await allPages(`?user=${bob}`, { token: operator }, 1)).toEqual([...started[bob]!].reverse());
    expect((await allPages(`?user=${alice}&status=active`, { token: operator }, 2)).sort()).toEqual(started[alice]!.slice(2).sort());
  });

  it("refuses a user another user's list, and bad queries with the field named", async () => {
    expect((await list(`?user=${bob}`, { user: alice })).status).toBe(403);
    expect((await list(`?user=${alice}`, { user: alice })).status).toBe(200);
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?status=deleted', 'status'],
      ['?user=not-a-uuid', 'user'],
      ['?cursor=bm9wZQ', 'cursor'],
      ['?colour=blue', ''],
    ] as const) {
      const response = await list(query, { token: operator });
      expect(response.status, query).toBe(400);
      const problem = await json(response);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      if (field)
        expect(
          problem.errors.map((e: { field: string }) => e.field),
          query,
        ).toContain(field);
    }
    expect((await fetch(`${h.service.url}/conversations`)).status).toBe(401);
  });

  it('neither repeats nor skips rows created in the same instant', async () => {
    // Rows written straight into the read model, all at one instant: only the id tells them apart.
    const carol = randomUUID();
    await h.db.query('INSERT INTO profiles (id) VALUES ($1)', [carol]);
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) {
      await h.db.query(
        `INSERT INTO conversations (id, conversation_id, user_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'active', '2025-03-01T10:00:00.123456Z', now())`,
        [id, `c-${id}`, carol],
      );
    }
    expect(await allPages('', { user: carol }, 2)).toEqual([...ids].sort().reverse());
  });
});
