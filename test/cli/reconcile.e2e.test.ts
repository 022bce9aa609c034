import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.js';
import { startHarness, type Harness } from '../support/harness.js';
import { allEvents, eventCounts, ONE_OF_EACH } from '../support/reconcile.js';

// `tavus-feedback reconcile` as a real process against the test database and the Tavus stand-in:
// what it prints for each conversation, and its exit codes.

let h: Harness;
let env: Record<string, string>;
const conversations: Record<'ended' | 'failing' | 'active' | 'unknown', { id: string; conversationId: string }> = {} as never;

beforeAll(async () => {
  h = await startHarness();
  env = { DATABASE_URL: h.databaseUrl, TAVUS_API_URL: h.tavus.url, TAVUS_API_KEY: h.tavus.apiKey, RECONCILE_RATE_PER_S: '20', LOG_LEVEL: 'silent' };
  const user = randomUUID();
  for (const name of ['ended', 'failing', 'active', 'unknown'] as const) conversations[name] = await h.startConversation(user);
  const { ended, failing, unknown } = conversations;
  h.tavus.setConversation(ended.conversationId, { status: 'ended', events: allEvents(ended.conversationId) });
  h.tavus.setConversation(failing.conversationId, { status: 'ended', events: allEvents(failing.conversationId) });
  h.tavus.failNextGet(failing.conversationId, { status: 500, body: { error: 'Internal server error' } });
  h.tavus.failNextGet(unknown.conversationId, { status: 404, body: { error: 'Conversation not found' } });
});
afterAll(async () => {
  await h.close();
});

const reconcile = (...args: string[]) => runCliAsync(['reconcile', ...args], { env });
const lineOf = (stdout: string, tavusId: string) => stdout.split('\n').find((l) => l.startsWith(tavusId)) ?? '';

describe('tavus-feedback reconcile', () => {
  it('asks about nothing that is not due yet', async () => {
    const run = await reconcile();
    expect(run.stdout).toContain('0 conversations asked');
    expect(run.status).toBe(0);
    expect(h.tavus.gets).toHaveLength(0);
  });

  it('with --older-than 0, asks about every incomplete conversation, says what it recovered, names what it could not fetch', async () => {
    const { ended, failing, active, unknown } = conversations;
    const run = await reconcile('--older-than', '0');
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(lineOf(run.stdout, ended.conversationId)).toBe(
      `${ended.conversationId} (${ended.id}): recovered system.replica_joined, system.shutdown, application.transcription_ready, application.recording_ready, application.perception_analysis; complete`,
    );
    expect(lineOf(run.stdout, failing.conversationId)).toMatch(/: could not fetch: failing: Tavus answered 500: Internal server error; asked again from /);
    expect(lineOf(run.stdout, active.conversationId)).toMatch(/: nothing new; Tavus reports it still active; asked again from /);
    expect(lineOf(run.stdout, unknown.conversationId)).toMatch(/: could not fetch: Tavus does not know this conversation \(404\)/);
    expect(run.stdout).toContain(`4 conversations asked, 1 now complete, 5 events recovered; could not fetch 2: `);
    expect(run.stdout).toMatch(new RegExp(`could not fetch 2: .*${failing.conversationId}`));
    expect(run.stdout).toMatch(new RegExp(`could not fetch 2: .*${unknown.conversationId}`));
    expect(run.stdout).not.toContain(h.tavus.apiKey);
    expect(await eventCounts(h, ended.conversationId)).toEqual(ONE_OF_EACH);
  });

  it('run again, asks only what is still incomplete and known to Tavus, regardless of backoff', async () => {
    const { ended, failing, active, unknown } = conversations;
    const run = await reconcile('--older-than', '0');
    expect(run.status, run.stdout).toBe(0);
    expect(lineOf(run.stdout, failing.conversationId)).toMatch(/: recovered .*application\.transcription_ready.*; complete$/);
    expect(lineOf(run.stdout, active.conversationId)).toMatch(/still active/);
    expect(run.stdout).toContain('2 conversations asked, 1 now complete, 5 events recovered\n');
    expect([ended, failing, active, unknown].map((c) => h.tavus.getsOf(c.conversationId).length)).toEqual([1, 2, 2, 1]);
  });

  it('with --conversation, never fetches a complete one, and names one that never started here', async () => {
    const { ended } = conversations;
    const complete = await reconcile('--conversation', ended.id);
    expect(complete.status).toBe(0);
    expect(complete.stdout.trim()).toBe(`${ended.conversationId} (${ended.id}): already complete; not fetched`);
    expect(h.tavus.getsOf(ended.conversationId)).toHaveLength(1);

    const nobody = await reconcile('--conversation', 'c-never-started');
    expect(nobody.status).toBe(1);
    expect(nobody.stdout).toContain('c-never-started: could not fetch: no such conversation started here');
    expect(h.tavus.getsOf('c-never-started')).toHaveLength(0);
  });

  it('refuses a bad --older-than with a usage error', async () => {
    const run = await reconcile('--older-than', 'soon');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--older-than takes whole seconds');
  });
});
