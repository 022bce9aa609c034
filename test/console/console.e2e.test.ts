import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import type { Analyzer } from '../../src/analysis/types.js';
import { issueServiceRoleToken } from '../../src/http/auth.js';
import { compareBuilds, type Comparison } from '../../src/projections/builds/compareBuilds.js';
import { rebuildFeedback } from '../../src/projections/builds/rebuild.js';
import { singleBodyCallback } from '../support/callbacks.js';
import { callbackPath, JWT_SECRET, json, startHarness, type Harness } from '../support/harness.js';

// The console at /console and the docs at /docs, in headless Chromium (Debian's, driven by
// playwright-core), against a real service. Screenshots go to reports/screenshots/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('reports/screenshots');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`console tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

/** coach@1, except that it throws on a poison word while the bug is present: a real dead letter. */
const bug = { present: true };
const fragile: Analyzer = {
  name: 'fragile',
  version: 1,
  description: 'test analyzer: coach@1, throwing on transcripts with a poison word while the bug is present',
  analyze(input) {
    if (bug.present && input.transcript.some((t) => t.content.includes('poison'))) throw new Error('analyzer bug: cannot score this');
    return findAnalyzer('coach@1')!.analyze(input);
  },
};

describe.skipIf(!haveChromium)('the console in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    h = await startHarness({ analyzer: 'fragile@1', lookupAnalyzer: (id) => (id === 'fragile@1' ? fragile : findAnalyzer(id)) });
    // As root (CI), Chromium's sandbox cannot start; the pages are our own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /**
   * A page that records every script error, console error (a CSP refusal is one) and failed answer,
   * but for the ones expected: a conversation's feedback is 404 until its transcript has arrived, and
   * its recording on a service that keeps none (this one).
   */
  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => problems.push(`${url}: ${err.message}`));
    page.on('console', (m) => {
      // Failed answers are judged below, by their URL.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${url}: ${m.text()}`);
    });
    page.on('response', (r) => {
      const expected = r.status() === 404 && /\/conversations\/[^/]+\/(feedback|recording)$/.test(new URL(r.url()).pathname);
      if (r.status() >= 400 && !expected) problems.push(`${r.url()}: ${r.status()}`);
    });
    await page.goto(url);
    return page;
  }

  async function ended(user: string, words: string) {
    const c = await h.startConversation(user);
    const body = singleBodyCallback(c.conversationId, 6);
    (body.transcript as { content: string }[])[0]!.content = words;
    expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
    return { ...c, body };
  }

  it("shows a user their conversations, one's feedback with its evidence, and its timeline", async () => {
    const user = randomUUID();
    const c = await ended(user, 'What would make this week feel like a success for you?');
    // The same callback again: the timeline marks it a duplicate.
    expect((await h.post(callbackPath(c.callbackUrl), c.body)).status).toBe(200);
    await h.service.runner.drain();
    const feedback = await json(await h.get(`/conversations/${c.id}/feedback`, user));

    const page = await open(`${h.service.url}/console/#token=${await h.tokenFor(user)}`);
    // The token leaves the address bar at once.
    expect(page.url()).not.toContain('token=');
    await page.click(`#conversations button[data-id="${c.id}"]`);
    await page.waitForSelector('#feedback .score');
    expect(await page.textContent('#feedback .score')).toBe(String(feedback.score));
    expect(await page.locator('#transcript li').count()).toBe(feedback.transcript.length);
    expect(await page.locator('#transcript mark').count()).toBeGreaterThan(0);
    expect(await page.locator('#timeline .badge.duplicate').count()).toBe(1);
    // Each callback opens on its body as stored (the token redacted), each event on its data.
    const trail = await json(await h.get(`/conversations/${c.id}/events`, user));
    const firstCallback = page.locator('#timeline li.callback details').first();
    await firstCallback.locator('summary').click();
    expect(JSON.parse((await firstCallback.locator('pre').textContent())!)).toEqual(trail.callbacks[0].body);
    expect(await page.locator('#timeline li.event details').count()).toBe(trail.events.length);
    // The first delivery names the events it added; its repeat, a duplicate, adds none.
    const added = trail.callbacks[0].produced.map((p: string) => `${trail.events.find((e: { position: string }) => e.position === p).type} #${p}`);
    expect(added.length).toBeGreaterThan(0);
    expect(await page.locator('#timeline li.callback').first().textContent()).toContain(`added ${added.join(', ')}`);
    expect(await page.locator('#timeline li.callback').last().textContent()).not.toContain('added');
    expect(await page.textContent('#timeline')).not.toContain(c.callbackUrl.split('/').pop()!);
    expect(await page.textContent('#versions')).toContain('fragile@1');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-conversation.png'), fullPage: true });
    await page.close();
  });

  it('shows feedback the moment it is projected, without a reload', async () => {
    const user = randomUUID();
    const c = await h.startConversation(user);
    await h.service.runner.drain();
    const page = await open(`${h.service.url}/console/`);
    await page.fill('#token', await h.tokenFor(user));
    await page.click('#sign-in-button');
    await page.click(`#conversations button[data-id="${c.id}"]`);
    await page.waitForSelector('#feedback .pending');
    expect((await h.post(callbackPath(c.callbackUrl), singleBodyCallback(c.conversationId, 4))).status).toBe(200);
    await page.waitForSelector('#feedback .score');
    expect(await page.locator('#transcript li').count()).toBe(4);
    await page.close();
  });

  it("gives the operator everyone's conversations, projection lag and dead letters with retry", async () => {
    const poisoned = await ended(randomUUID(), 'a poison word');
    await h.service.runner.drain();
    const operator = await issueServiceRoleToken(JWT_SECRET);
    const page = await open(`${h.service.url}/console/#token=${operator}`);
    await page.waitForSelector(`#conversations button[data-id="${poisoned.id}"]`);
    await page.waitForSelector('#lag td');
    expect(await page.textContent('#lag')).toContain('conversations');
    await page.waitForSelector('#dead-letters li');
    expect(await page.textContent('#dead-letters')).toContain(`conversation-${poisoned.conversationId}`);
    // This service has no KURRENTDB_URL: no relay, and no growing number pretending there is one.
    expect(await page.textContent('#relay-lag')).toContain('not configured');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-operator.png'), fullPage: true });

    bug.present = false;
    await page.click('#dead-letters li button');
    await h.service.runner.drain();
    await page.waitForSelector('#no-dead-letters', { state: 'visible' });
    // Applied as if it had never failed.
    const after = await fetch(`${h.service.url}/conversations/${poisoned.id}/feedback`, { headers: { authorization: `Bearer ${operator}` } });
    expect(after.status).toBe(200);
    await page.close();
  });

  it('compares the live build with another: the histogram of both, the shifts and the movers', async () => {
    await h.service.runner.drain();
    // A second build, made the way the CLI makes it (it becomes live); fragile@1 scores as coach@1 does.
    await rebuildFeedback(h.service.pool, findAnalyzer('baseline@1')!);
    const expected = await compareBuilds(h.db, 'baseline@1', 'fragile@1');
    expect(expected.common).toBeGreaterThan(2);
    const operator = await issueServiceRoleToken(JWT_SECRET);
    const page = await open(`${h.service.url}/console/#token=${operator}`);
    await page.waitForSelector('#compare-chart svg');
    // Live against the newest other build.
    expect(await page.inputValue('#compare-a')).toBe('baseline@1');
    expect(await page.inputValue('#compare-b')).toBe('fragile@1');

    /** Each bin as drawn: its range label, each bar's count, and the counts written above bars. */
    const drawn = () =>
      page.$$eval('#compare-chart svg g.bin', (groups) =>
        groups.map((g) => ({
          range: g.querySelector('text.range')?.textContent,
          a: Number(g.querySelector('rect[data-series="a"]')?.getAttribute('data-count')),
          b: Number(g.querySelector('rect[data-series="b"]')?.getAttribute('data-count')),
          labels: [...g.querySelectorAll('text.count')].map((t) => t.textContent),
        })),
      );
    const shown = (c: Comparison) =>
      c.histogram.map((bin) => ({
        range: `${bin.from}–${bin.to}`,
        a: bin.a,
        b: bin.b,
        labels: [bin.a, bin.b].filter((n) => n > 0).map(String),
      }));
    expect(await drawn()).toEqual(shown(expected));
    expect(await page.textContent('#compare-chart svg .legend.a')).toBe('A baseline@1');
    const score = expected.shifts.find((s) => s.field === 'score')!;
    const scoreRow = await page.$$eval('#compare-shifts tr[data-field="score"] td', (cells) => cells.map((c) => c.textContent));
    expect(scoreRow.slice(0, 3)).toEqual(['score', score.meanA.toFixed(1), score.meanB.toFixed(1)]);
    expect(scoreRow[5]).toBe(`${score.changed} of ${expected.common}`);
    expect(await page.locator('#compare-shifts tr[data-field]').count()).toBe(expected.shifts.length);
    expect(await page.locator('#compare-movers button').count()).toBe(expected.movers.length);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-compare.png'), fullPage: true });

    // The other way round: the chart is drawn again from that comparison.
    await page.selectOption('#compare-a', 'fragile@1');
    await page.selectOption('#compare-b', 'baseline@1');
    // Each select's change draws once; the chart of the pair asked last is the one to wait for.
    await page.waitForSelector('#compare-chart svg[aria-label^="Headline score of fragile@1 and baseline@1,"]');
    expect(await drawn()).toEqual(shown(await compareBuilds(h.db, 'fragile@1', 'baseline@1')));

    // A mover opens its conversation.
    if (expected.movers.length > 0) {
      await page.click('#compare-movers button');
      await page.waitForSelector('#detail:not([hidden]) #feedback .score');
    }
    await page.close();
  });

  it('renders the API reference at /docs', async () => {
    const page = await open(`${h.service.url}/docs/`);
    await page.waitForSelector('.swagger-ui .info .title');
    expect(await page.textContent('.swagger-ui .info .title')).toContain('tavus-feedback');
    await page.waitForSelector('.opblock-summary-path');
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'docs.png') });
    await page.close();
  });

  it('ran every page without a script error or a refused resource', () => {
    expect(problems).toEqual([]);
  });
});
