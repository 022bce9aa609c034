import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingsRetry, recordingsStatus } from '../../src/cli/recordings.js';
import { UsageError } from '../../src/cli/usage.js';
import type { CopyOutcome } from '../../src/reactors/recordings/copier.js';
import { wildCallback } from '../support/callbacks.js';
import { runCliAsync } from '../support/cli.js';
import { callbackPath, startHarness, type Harness } from '../support/harness.js';
import { APP_BUCKET, startS3StandIn, TAVUS_BUCKET, type S3StandIn } from '../support/s3StandIn/server.js';

// `tavus-feedback recordings status|retry` as real processes beside a running service: a copy the
// storage keeps wrong is parked and shown with why; once the storage is fixed, a retry has the
// service copy it and says so.

let h: Harness;
let s3: S3StandIn;
let env: Record<string, string>;
let onParked: (streamId: string) => void = () => {};

beforeAll(async () => {
  s3 = await startS3StandIn();
  h = await startHarness({
    env: s3.env(),
    serviceOptions: {
      recordings: {
        backoff: { baseMs: 20, maxMs: 20, parkAfter: 2, parkedRetryMs: 3_600_000 },
        client: { maxAttempts: 1 },
        // The row appears once projected, after the append's NOTIFY: the poll finds it.
        pollIntervalMs: 100,
        onOutcome: (o: CopyOutcome) => o.kind === 'parked' && onParked(o.streamId),
      },
    },
  });
  env = { DATABASE_URL: h.databaseUrl, LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  await h?.close();
  await s3?.close();
});

const cli = (...args: string[]) => runCliAsync(['recordings', ...args], { env });

describe('tavus-feedback recordings', () => {
  it('shows a parked copy and why, and copies it again on retry', async () => {
    const c = await h.startConversation(randomUUID());
    const streamId = `conversation-${c.conversationId}`;
    const key = `tavus.daily.co/${c.conversationId}/1`;
    await s3.put(TAVUS_BUCKET, key, randomBytes(30_000));
    s3.corrupt(APP_BUCKET, true);
    const isParked = new Promise<void>((resolve) => (onParked = (id) => id === streamId && resolve()));
    expect(
      (await h.post(callbackPath(c.callbackUrl), wildCallback('application.recording_ready', c.conversationId, { bucket_name: TAVUS_BUCKET, s3_key: key })))
        .status,
    ).toBe(200);
    await h.service.runner.drain();
    await isParked;
    s3.corrupt(APP_BUCKET, false);

    const [overview, one] = await Promise.all([cli('status'), cli('status', c.id)]);
    expect(overview.status, overview.stderr).toBe(0);
    expect(overview.stdout).toMatch(/^recordings\s+0 stored, 1 copying, 0 failed \(reported by Tavus\), 1 parked$/m);
    expect(overview.stdout).toMatch(/^copying in\s+\S+ \(since /m);
    expect(overview.stdout).toContain(`${streamId}  parked since `);
    expect(overview.stdout).toMatch(/^ {2}mismatch: the copy was refused: the copy holds 30000 bytes/m);
    expect(one.stdout).toContain(`${streamId}  copying\n`);
    // No key of the recording is printed.
    expect(overview.stdout + one.stdout).not.toContain(key);

    const retry = await cli('retry', c.conversationId);
    expect(retry.status, retry.stderr).toBe(0);
    expect(retry.stdout).toBe(`${streamId}: copied\n`);
    await h.service.runner.drain();
    // The same command, in this process (the process starts are what this file spends its time on).
    const lines: string[] = [];
    await recordingsStatus(h.db, streamId, (line) => lines.push(line));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${streamId} {2}stored in ${APP_BUCKET}: 30000 bytes, sha256 [0-9a-f]{64}, video/mp4$`))]);
  });

  it('refuses a retry with nothing parked (exit 2), and a conversation it does not know', async () => {
    const none = await cli('retry', '--all');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('error: no parked copies');
    await expect(recordingsRetry(h.db, 'no-such-conversation', () => {})).rejects.toThrow(UsageError);
    await expect(recordingsStatus(h.db, 'no-such-conversation', () => {})).rejects.toThrow(/^no conversation no-such-conversation/);
  });
});
