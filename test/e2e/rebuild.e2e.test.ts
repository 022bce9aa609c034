import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBuilds } from '../../src/projections/builds/builds.js';
import { withLease } from '../../src/reactors/lease.js';
import { BuildError, buildLeaseName, dropFeedback, rebuildFeedback, useFeedback } from '../../src/projections/builds/rebuild.js';
import { exampleCallback, singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, json, startHarness, type Harness } from '../support/harness.js';
import { lookupWithTestAnalyzers, turns1, turns2 } from '../support/testAnalyzers.js';

// Blue/green: a rebuild scores the whole history into a build of its own while the service keeps
// serving and appending, then switches in one transaction; readers never see a gap.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ analyzer: 'baseline@1', lookupAnalyzer: lookupWithTestAnalyzers });
});
afterAll(async () => {
  await h.close();
});

async function converse(user: string, turns: number) {
  const c = await h.startConversation(user);
  const response = await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, turns));
  expect(response.status).toBe(200);
  return c;
}

async function liveRows() {
  const result = await h.db.query<{ conversation_id: string; analyzer: string; analyzer_version: number; score: number; n: number }>(
    `SELECT f.conversation_id, f.analyzer, f.analyzer_version, f.score, jsonb_array_length(f.transcript) AS n FROM feedback_sessions f`,
  );
  return result.rows;
}

async function conversationsWithTranscript() {
  return (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM feedback_inputs')).rows[0]!.n;
}

describe('rebuild feedback', () => {
  it('builds a new version while callbacks keep arriving, and switches with no row missing or doubled', async () => {
    const user = randomUUID();
    for (let i = 0; i < 30; i++) await converse(user, 2 + (i % 9));
    await h.service.runner.drain();
    expect((await liveRows()).every((r) => r.analyzer === 'baseline')).toBe(true);

    // Keep conversations ending while the rebuild runs; check the live table never loses a row.
    let arriving = true;
    let seenGap = false;
    const traffic = (async () => {
      let i = 0;
      while (arriving) await converse(user, 3 + (i++ % 5));
    })();
    // In any one snapshot, every conversation with a transcript has exactly one live feedback row.
    const watcher = (async () => {
      while (arriving) {
        const { rows } = await h.db.query<{ live: number; inputs: number }>(
          'SELECT (SELECT count(*)::int FROM feedback_sessions) AS live, (SELECT count(*)::int FROM feedback_inputs) AS inputs',
        );
        if (rows[0]!.live !== rows[0]!.inputs) seenGap = true;
      }
    })();
    const summary = await rebuildFeedback(h.service.pool, turns1, { batchSize: 7 });
    arriving = false;
    await traffic;
    await watcher;
    expect(summary.scored).toBeGreaterThanOrEqual(30);
    expect(seenGap).toBe(false);

    await h.service.runner.drain();
    const rows = await liveRows();
    expect(rows.length).toBe(await conversationsWithTranscript());
    expect(new Set(rows.map((r) => r.conversation_id)).size).toBe(rows.length);
    for (const row of rows) {
      expect(row.analyzer).toBe('turns');
      expect(row.analyzer_version).toBe(1);
      expect(row.score).toBe(row.n);
    }
  });

  it('keeps the old build for an instant rollback with `use`, and drops what is not live', async () => {
    const user = randomUUID();
    const c = await converse(user, 4);
    await h.service.runner.drain();
    // The live runner now feeds turns@1; baseline@1 has fallen behind by this conversation.
    expect((await json(await h.get(`/conversations/${c.id}/feedback`, user))).analyzer).toBe('turns');
    expect((await h.get(`/conversations/${c.id}/feedback?analyzer=baseline@1`, user)).status).toBe(404);

    const { lookupWithTestAnalyzers: lookup } = await import('../support/testAnalyzers.js');
    await useFeedback(h.service.pool, lookup('baseline@1')!);
    const rows = await liveRows();
    expect(rows.length).toBe(await conversationsWithTranscript());
    expect(rows.every((r) => r.analyzer === 'baseline')).toBe(true);
    // Both versions' feedback stays readable.
    expect((await json(await h.get(`/conversations/${c.id}/feedback?analyzer=turns@1`, user))).score).toBe(4);

    await expect(dropFeedback(h.service.pool, 'baseline@1')).rejects.toThrow(BuildError);
    expect((await dropFeedback(h.service.pool, 'turns@1')).rows).toBeGreaterThan(30);
    expect((await listBuilds(h.service.pool)).map((b) => b.analyzer)).toEqual(['baseline@1']);
    await expect(useFeedback(h.service.pool, turns1)).rejects.toThrow(/no complete build/);
  });

  it('refuses a second rebuild of the same version while one runs, and a rebuild of the live one', async () => {
    await expect(rebuildFeedback(h.service.pool, lookupWithTestAnalyzers('baseline@1')!)).rejects.toThrow(/already live/);
    // Another process holds the build lease of turns@2 (as a running rebuild does).
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding: () => void = () => {};
    const taken = new Promise<void>((resolve) => (holding = resolve));
    const other = withLease(h.db, buildLeaseName('turns@2'), async () => {
      holding();
      await held;
    });
    await taken;
    try {
      await expect(rebuildFeedback(h.service.pool, turns2)).rejects.toThrow(/another process is building or switching turns@2/);
      await expect(useFeedback(h.service.pool, turns2)).rejects.toThrow(/another process is building or switching turns@2/);
    } finally {
      release();
      await other;
    }
    await rebuildFeedback(h.service.pool, turns2);
    expect((await liveRows()).every((r) => r.analyzer === 'turns' && r.analyzer_version === 2)).toBe(true);
  });

  it('compares two builds: what changed, by how much, and a chart of both distributions', async () => {
    // turns@1 scored the first conversations, turns@2 scores every one at turns + 50.
    const { compareBuilds } = await import('../../src/projections/builds/compareBuilds.js');
    const { renderComparison } = await import('../../src/cli/compareReport.js');
    await rebuildFeedback(h.service.pool, turns1);
    const c = await compareBuilds(h.service.pool, 'turns@1', 'turns@2');
    const inputs = await conversationsWithTranscript();
    expect(c.common).toBe(inputs);
    const headline = c.shifts.find((s) => s.field === 'score')!;
    expect(headline).toMatchObject({ changed: inputs, meanShift: 50, medianShift: 50 });
    expect(headline.meanB - headline.meanA).toBeCloseTo(50);
    expect(c.movers[0]!.shift).toBe(50);
    expect(c.histogram.reduce((n, bin) => n + bin.a, 0)).toBe(inputs);
    expect(c.histogram.reduce((n, bin) => n + bin.b, 0)).toBe(inputs);
    // turns@1 scores are small turn counts, turns@2 the same plus 50: the mass moves five bins up.
    expect(c.histogram.slice(0, 2).reduce((n, bin) => n + bin.a, 0)).toBe(inputs);
    expect(c.histogram.slice(5, 7).reduce((n, bin) => n + bin.b, 0)).toBe(inputs);
    const html = renderComparison(c);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain(`${inputs} conversations scored by both`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('shows the whole audit trail: deliveries, duplicates, events and each version’s feedback', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    const body = exampleCallback('application.transcription_ready', c.conversationId);
    await h.post(callbackPath(c.callbackUrl), body);
    await h.post(callbackPath(c.callbackUrl), body);
    await h.service.runner.drain();
    const trail = await json(await h.get(`/conversations/${c.id}/events`, user));
    expect((trail.events as { type: string }[]).map((e) => e.type)).toEqual(['ConversationStarted', 'TranscriptReceived']);
    expect(trail.callbacks).toHaveLength(2);
    expect((trail.callbacks as { duplicate: boolean }[]).map((d) => d.duplicate)).toEqual([false, true]);
    expect(trail.callbacks[0].body).toEqual(body);
    expect(trail.callbacks[0].produced).toEqual([trail.events[1].position]);
    // Only the live build follows new conversations; turns@2 catches up if it is switched back to.
    expect(trail.feedback).toEqual([expect.objectContaining({ analyzer: 'turns@1', live: true, score: 10 })]);
    await useFeedback(h.service.pool, turns2);
    const after = await json(await h.get(`/conversations/${c.id}/events`, user));
    expect(after.feedback).toEqual([
      expect.objectContaining({ analyzer: 'turns@1', live: false, score: 10 }),
      expect.objectContaining({ analyzer: 'turns@2', live: true, score: 60 }),
    ]);
  });
});
