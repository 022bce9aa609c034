import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';
import pg from 'pg';
import { appendEvents } from '../../src/events/appendEvents.js';
import { transcribedConversation } from '../support/events.js';
import { startLlmStandIn, type LlmStandIn } from '../support/llmStandIn.js';

// llm@1 in the CLI as a real process: `analyzers` says whether it is configured; `evaluate` asks the
// model once and replays the answers it kept.

let standIn: LlmStandIn;
let database: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  standIn = await startLlmStandIn();
  database = await createTestDatabase();
});
afterAll(async () => {
  await standIn.close();
  await database.drop();
});

const llmEnv = () => ({ LLM_MODEL: standIn.model, LLM_BASE_URL: standIn.baseUrl, LLM_API_KEY: standIn.apiKey, LLM_REQUESTS_PER_SECOND: '1000' });
/** The environment without any LLM_* the developer may have set. */
const noLlm = { LLM_MODEL: '', LLM_API_KEY: '' };

// The stand-in scores 40 + 5 per line the person spoke, so the AUC is known: high {4, 2}, low {3, 1} → 3/4.
function conversation(turns: number) {
  return Array.from({ length: turns }, (_, i) => [
    { role: 'user', content: `What happened next with the launch, part ${i}?` },
    { role: 'assistant', content: `Then things got worse, part ${i}.` },
  ]).flat();
}

describe('llm@1 in the CLI', () => {
  it('lists llm@1, saying when it is not configured and which model it asks when it is', async () => {
    const off = await runCliAsync(['analyzers'], { env: { DATABASE_URL: database.url, ...noLlm } });
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^llm@1 .*not configured: set LLM_MODEL/m);
    const on = await runCliAsync(['analyzers'], { env: { DATABASE_URL: database.url, ...llmEnv() } });
    expect(on.stdout).toMatch(new RegExp(`^llm@1 .*asks ${standIn.model} at ${standIn.baseUrl.replace(/[.]/g, '\\.')}`, 'm'));
  });

  it('evaluates llm@1 from answers it asks for once and then replays', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evaluate-llm-'));
    const labels = path.join(dir, 'labels.jsonl');
    const recordings = path.join(dir, 'answers.jsonl');
    const rows = [
      { quality: 'high', transcript: conversation(4) },
      { quality: 'low', transcript: conversation(3) },
      { quality: 'high', transcript: conversation(2) },
      { quality: 'low', transcript: conversation(1) },
    ];
    writeFileSync(labels, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

    const args = ['evaluate', '--labels', labels, '--analyzer', 'llm@1', '--json', '--recordings', recordings];
    const first = await runCliAsync(args, { env: llmEnv() });
    expect(first.status, first.stderr).toBe(0);
    expect(standIn.requests.length).toBe(4);
    expect(JSON.parse(first.stdout)[0]).toMatchObject({ analyzer: 'llm@1', auc: { overallScore: 0.75 } });
    expect(readFileSync(recordings, 'utf8').trim().split('\n')).toHaveLength(4);

    // Not configured now: everything comes from the file, no call, the same result.
    const again = await runCliAsync(args, { env: noLlm });
    expect(again.status, again.stderr).toBe(0);
    expect(standIn.requests.length).toBe(4);
    expect(again.stdout).toBe(first.stdout);

    // Neither answers nor a model: a clear refusal.
    const none = await runCliAsync(['evaluate', '--labels', labels, '--analyzer', 'llm@1'], { env: noLlm });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/4 of 4 transcripts have no llm@1 answer: set LLM_MODEL/);

    // Without --analyzer, analyzers that cost calls are left out.
    const all = await runCliAsync(['evaluate', '--labels', labels, '--json'], { env: llmEnv() });
    expect(JSON.parse(all.stdout).map((e: { analyzer: string }) => e.analyzer)).not.toContain('llm@1');
    expect(standIn.requests.length).toBe(4);
  });

  it('rebuilds llm@1 with no service running: refuses without a model, else asks what is missing itself, then switches', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      // A database that served baseline@1 (the service is not running now): nothing projected yet.
      await pool.query(`INSERT INTO feedback_live (analyzer) VALUES ('baseline@1')`);
      await appendEvents(pool, [...transcribedConversation('cli-rebuild-a'), ...transcribedConversation('cli-rebuild-b')]);
      const requests = standIn.requests.length;
      const refused = await runCliAsync(['rebuild', 'feedback', '--analyzer', 'llm@1'], { env: { DATABASE_URL: database.url, ...noLlm } });
      expect(refused.status).toBe(3);
      expect(refused.stderr).toMatch(/2 transcripts have no llm@1 answer recorded yet and LLM_MODEL is not set/);

      const built = await runCliAsync(['rebuild', 'feedback', '--analyzer', 'llm@1'], { env: { DATABASE_URL: database.url, ...llmEnv() } });
      expect(built.status, built.stderr).toBe(0);
      expect(built.stderr).toMatch(/asking stand-in-model about 2 transcripts/);
      expect(built.stdout).toMatch(/llm@1 is live: 2 conversations scored/);
      expect(standIn.requests.length).toBe(requests + 2);
      const { rows } = await pool.query<{ status: string }>(`SELECT analysis->>'status' AS status FROM feedback_sessions`);
      expect(rows.map((r) => r.status)).toEqual(['answered', 'answered']);
    } finally {
      await pool.end();
    }
  });

  it("rebuilds llm@1 by asking itself once the service that held llm@1's lease stops renewing it", async () => {
    const other = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: other.url, max: 2 });
    try {
      await pool.query(`INSERT INTO feedback_live (analyzer) VALUES ('baseline@1')`);
      await appendEvents(pool, transcribedConversation('cli-rebuild-takeover'));
      // A service's reactor holds the lease, renewing it, until the rebuild says it is waiting for it;
      // then the service dies: its row is never renewed again and runs out.
      const renew = () =>
        pool.query(`INSERT INTO leases (name, owner, acquired_at, expires_at) VALUES ('llm@1', 'a service', now(), now() + interval '1 second')
                                      ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at`);
      await renew();
      const renewing = setInterval(() => void renew(), 200);
      const requests = standIn.requests.length;
      const built = await runCliAsync(['rebuild', 'feedback', '--analyzer', 'llm@1'], {
        env: { DATABASE_URL: other.url, ...llmEnv() },
        onStderr: (stderr) => {
          if (stderr.includes('another process')) clearInterval(renewing);
        },
      });
      clearInterval(renewing);
      expect(built.status, built.stderr).toBe(0);
      expect(built.stderr).toMatch(/another process \(the service's llm@1 reactor\) is asking the model: 1 transcripts still to answer/);
      expect(built.stderr).toMatch(/nobody holds the llm@1 lease any more/);
      expect(built.stdout).toMatch(/llm@1 is live: 1 conversations scored/);
      expect(standIn.requests.length).toBe(requests + 1);
      // Given back when done: a service starting now takes it at once.
      expect((await pool.query('SELECT * FROM leases WHERE name = $1', ['llm@1'])).rows).toEqual([]);
    } finally {
      await pool.end();
      await other.drop();
    }
  });
});
