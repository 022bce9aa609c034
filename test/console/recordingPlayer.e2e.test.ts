import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wildCallback } from '../support/callbacks.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';
import { startS3StandIn, TAVUS_BUCKET, type S3StandIn } from '../support/s3StandIn/server.js';

// The console's recording player, in headless Chromium (Debian's, as test/console/console.e2e.test.ts
// drives it), on a service that keeps recordings in the S3 stand-in: the player loads the short-lived
// link from the storage itself, which the page's Content-Security-Policy allows (media-src names the
// storage's origin, and nothing else), and a recording still copying says so.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('reports/screenshots');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`recording player tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

describe.skipIf(!haveChromium)('the recording player in Chromium', () => {
  let h: Harness;
  let s3: S3StandIn;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    s3 = await startS3StandIn();
    h = await startHarness({ env: s3.env(), serviceOptions: { recordings: { pollIntervalMs: 100, client: { maxAttempts: 1 } } } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await s3?.close();
  });

  /** A page recording script errors, console errors (a CSP refusal is one) and failed answers. */
  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => problems.push(`${url}: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${url}: ${m.text()}`);
    });
    page.on('response', (r) => {
      const expected = r.status() === 404 && /\/conversations\/[^/]+\/feedback$/.test(new URL(r.url()).pathname);
      if (r.status() >= 400 && !expected) problems.push(`${r.url()}: ${r.status()}`);
    });
    await page.goto(url);
    return page;
  }

  async function announced(user: string, stored: boolean) {
    const c = await h.startConversation(user);
    const key = `tavus.daily.co/${c.conversationId}/1750316118137`;
    if (stored) await s3.put(TAVUS_BUCKET, key, randomBytes(64_000), { contentType: 'video/mp4' });
    const body = wildCallback('application.recording_ready', c.conversationId, { bucket_name: TAVUS_BUCKET, s3_key: key, duration: 14 });
    expect((await h.post(callbackPath(c.callbackUrl), body)).status).toBe(200);
    await h.service.runner.drain();
    if (stored) await h.service.recordings!.job.settled();
    await h.service.runner.drain();
    return c;
  }

  it('plays a stored recording from the storage, beside the timeline', async () => {
    const user = randomUUID();
    const c = await announced(user, true);
    const storage = `http://127.0.0.1:${s3.storage.port}/`;
    const page = await open(`${h.service.url}/console/#token=${await h.tokenFor(user)}`);
    const fetched = page.waitForResponse((r) => r.url().startsWith(storage));
    await page.click(`#conversations button[data-id="${c.id}"]`);
    await page.waitForSelector('#player:not([hidden])');
    expect(await page.getAttribute('#player', 'src')).toMatch(new RegExp(`^${storage}app-recordings/recordings/${c.id}/`));
    // The browser asked the storage for it (a CSP refusal would have stopped it, and been logged).
    expect((await fetched).status()).toBeLessThan(300);
    expect(await page.textContent('#recording-note')).toMatch(/^video\/mp4, 0\.1 MB, sha256 [0-9a-f]{64}$/);
    expect(await page.isVisible('#timeline')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-recording.png'), fullPage: true });
    await page.close();
  });

  it('says a recording is being copied, with no player', async () => {
    const user = randomUUID();
    const c = await announced(user, false);
    const page = await open(`${h.service.url}/console/#token=${await h.tokenFor(user)}`);
    await page.click(`#conversations button[data-id="${c.id}"]`);
    await page.waitForSelector('#recording:not([hidden])');
    expect(await page.textContent('#recording-note')).toContain('being copied');
    expect(await page.isHidden('#player')).toBe(true);
    await page.close();
  });

  it('ran every page without a script error or a refused resource', () => {
    expect(problems).toEqual([]);
  });
});
