import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { BuildComparison, Builds, Problem } from '../../src/http/openapi/answers.js';
import { compareBuilds } from '../../src/projections/builds/compareBuilds.js';
import { rebuildFeedback } from '../../src/projections/builds/rebuild.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, JWT_SECRET, json, startHarness, type Harness } from '../support/harness.js';
import { lookupWithTestAnalyzers, turns2 } from '../support/testAnalyzers.js';

// GET /admin/builds and GET /admin/compare: what the console's "Compare analyzers" draws. turns@1
// scores a conversation by its turns and turns@2 by its turns + 50, so the expected figures are
// known without asking compareBuilds, and must also be what compareBuilds says.

const TURNS = [2, 3, 4, 12, 15, 2];

let h: Harness;
let operator: Record<string, string>;
beforeAll(async () => {
  h = await startHarness({ analyzer: 'turns@1', lookupAnalyzer: lookupWithTestAnalyzers });
  operator = { authorization: `Bearer ${await issueServiceRoleToken(JWT_SECRET)}` };
  const user = randomUUID();
  for (const turns of TURNS) {
    const c = await h.startConversation(user);
    expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, turns))).status).toBe(200);
  }
  await h.service.runner.drain();
});
afterAll(async () => {
  await h.close();
});

const asOperator = (path: string) => fetch(`${h.service.url}${path}`, { headers: operator });

describe('/admin/builds and /admin/compare', () => {
  it('refuses users (403) and the unauthenticated (401)', async () => {
    expect((await h.get('/admin/builds', randomUUID())).status).toBe(403);
    expect((await h.get('/admin/compare?a=turns@1&b=turns@1', randomUUID())).status).toBe(403);
    expect((await fetch(`${h.service.url}/admin/builds`)).status).toBe(401);
    expect((await fetch(`${h.service.url}/admin/compare?a=turns@1&b=turns@1`)).status).toBe(401);
  });

  it('lists the builds, newest first, with their state', async () => {
    const before = Builds.parse(await json(await asOperator('/admin/builds')));
    expect(before.builds).toMatchObject([{ analyzer: 'turns@1', state: 'live', rows: TURNS.length }]);

    await rebuildFeedback(h.service.pool, turns2);
    const after = Builds.parse(await json(await asOperator('/admin/builds')));
    expect(after.builds.map((b) => [b.analyzer, b.state, b.rows])).toEqual([
      ['turns@2', 'live', TURNS.length],
      ['turns@1', 'ready', TURNS.length],
    ]);
    // A build started and not finished (a rebuild killed, or under way).
    await h.db.query(`INSERT INTO feedback_builds (analyzer, status) VALUES ('baseline@1', 'building')`);
    const building = Builds.parse(await json(await asOperator('/admin/builds')));
    expect(building.builds[0]).toMatchObject({ analyzer: 'baseline@1', state: 'building', rows: 0, builtAt: null });
    await h.db.query(`DELETE FROM feedback_builds WHERE analyzer = 'baseline@1'`);
  });

  it('compares two builds as compareBuilds does', async () => {
    const response = await asOperator('/admin/compare?a=turns@1&b=turns@2');
    expect(response.status).toBe(200);
    const answer = BuildComparison.parse(await json(response));
    expect(answer).toEqual(await compareBuilds(h.db, 'turns@1', 'turns@2'));

    // And the figures themselves, known from the two analyzers.
    expect(answer).toMatchObject({ a: 'turns@1', b: 'turns@2', common: TURNS.length, onlyA: 0, onlyB: 0 });
    const score = answer.shifts.find((s) => s.field === 'score')!;
    expect(score).toMatchObject({ changed: TURNS.length, meanShift: 50, medianShift: 50 });
    expect(score.meanA).toBeCloseTo(TURNS.reduce((x, y) => x + y, 0) / TURNS.length, 9);
    const bins = (scores: number[]) => Array.from({ length: 10 }, (_, i) => scores.filter((s) => Math.min(Math.floor(s / 10), 9) === i).length);
    expect(answer.histogram.map((bin) => bin.a)).toEqual(bins(TURNS));
    expect(answer.histogram.map((bin) => bin.b)).toEqual(bins(TURNS.map((t) => t + 50)));
    expect(answer.histogram.map((bin) => [bin.from, bin.to])[9]).toEqual([90, 100]);
    expect(answer.movers).toHaveLength(TURNS.length);
    expect(answer.movers.every((m) => m.shift === 50 && m.scoreB === m.scoreA + 50)).toBe(true);
  });

  it('names the field of a missing, malformed or unknown analyzer (400)', async () => {
    for (const [query, field] of [
      ['?a=turns@1', 'b'],
      ['?a=turns&b=turns@2', 'a'],
      ['?a=turns@1&b=TURNS@2', 'b'],
      ['?a=turns@1&b=nosuch@1', 'b'],
      ['?a=turns@1&b=turns@2&b=turns@1', 'b'],
    ] as const) {
      const response = await asOperator(`/admin/compare${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(
        Problem.parse(await json(response)).errors?.map((e) => e.field),
        query,
      ).toEqual([field]);
    }
    const extra = await asOperator('/admin/compare?a=turns@1&b=turns@2&c=1');
    expect(extra.status).toBe(400);
  });

  it('answers 404 for an analyzer this service knows that has no build yet', async () => {
    const response = await asOperator('/admin/compare?a=turns@1&b=coach@1');
    expect(response.status).toBe(404);
    expect(Problem.parse(await json(response)).detail).toMatch(/no build of coach@1/);
  });
});
