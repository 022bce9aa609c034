import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseline } from '../../src/analysis/baseline/index.js';
import { score } from '../../src/projections/readModels/feedback.js';
import { createTestDatabase } from '../support/db.js';

// A rebuild is a real process that can die at any point: killed with SIGKILL mid-build, the same
// command run again finishes the job, with the same rows an uninterrupted build writes.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONVERSATIONS = 60_000;

let database: { url: string; drop: () => Promise<void> };
let db: pg.Pool;

function cli(args: string[]) {
  return ['--import', 'tsx', 'src/cli/run.ts', ...args];
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  const user = randomUUID();
  // A history already projected: conversations with transcripts, served live by another version.
  await db.query('INSERT INTO profiles (id) VALUES ($1)', [user]);
  await db.query(
    `INSERT INTO conversations (id, conversation_id, user_id, status, created_at, updated_at)
     SELECT md5('c' || g)::uuid, 'c' || g, $1, 'completed', now(), now() FROM generate_series(1, $2) g`,
    [user, CONVERSATIONS],
  );
  await db.query(
    `INSERT INTO events (stream_id, type, data, metadata, idempotency_key)
     SELECT 'conversation-c' || g, 'TranscriptReceived',
            jsonb_build_object('systemPromptRemoved', true, 'turns', jsonb_build_array(
              jsonb_build_object('role', 'user', 'content', 'How did week ' || g || ' go? Tell me more.'),
              jsonb_build_object('role', 'assistant', 'content', 'It was fine, thanks for asking.'),
              jsonb_build_object('role', 'user', 'content', repeat('I hear you. ', g % 7)))),
            '{"receivedAt": "2025-01-01T00:00:00Z", "source": "tavus-callback"}', 'transcript-' || g
       FROM generate_series(1, $1) g`,
    [CONVERSATIONS],
  );
  await db.query(
    `INSERT INTO feedback_inputs (conversation_id, user_id, duration, transcript_position, transcript, context, input_hash, created_at, updated_at)
     SELECT md5(substr(e.stream_id, 14))::uuid, $1, 60 + substr(e.stream_id, 15)::int % 300, e.position, e.data->'turns', '{"name": "s"}', 'h' || e.position, now(), now()
       FROM events e WHERE e.type = 'TranscriptReceived'`,
    [user],
  );
  await db.query(`INSERT INTO feedback_live (analyzer) VALUES ('turns@1')`);
  await db.query(`INSERT INTO feedback_builds (analyzer, status, built_at) VALUES ('turns@1', 'built', now())`);
}, 120_000);

afterAll(async () => {
  await db.end();
  await database.drop();
});

async function built(): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM feedback_scores WHERE analyzer = 'baseline@1'`)).rows[0]!.n;
}

describe('a rebuild killed mid-way', () => {
  it('continues from where it stopped and ends as an uninterrupted build would', async () => {
    const env = { ...process.env, DATABASE_URL: database.url };
    const child = spawn(process.execPath, cli(['rebuild', 'feedback', '--analyzer', 'baseline@1']), { cwd: ROOT, env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    while ((await built()) < 4_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const partial = await built();
    expect(partial).toBeGreaterThanOrEqual(4_000);
    expect(partial).toBeLessThan(CONVERSATIONS);
    expect((await db.query('SELECT analyzer FROM feedback_live')).rows[0].analyzer).toBe('turns@1');

    const rerun = spawnSync(process.execPath, cli(['rebuild', 'feedback', '--analyzer', 'baseline@1']), { cwd: ROOT, env, encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/baseline@1 is live: \d+ conversations scored/);

    expect((await db.query('SELECT analyzer FROM feedback_live')).rows[0].analyzer).toBe('baseline@1');
    expect(await built()).toBe(CONVERSATIONS);
    const listed = spawnSync(process.execPath, cli(['analyzers']), { cwd: ROOT, env, encoding: 'utf8' });
    expect(listed.stdout).toMatch(new RegExp(`baseline@1\\s+\\*\\s+built\\s+${CONVERSATIONS}\\s`));
    expect(listed.stdout).toMatch(/turns@1\s+built\s+0\s+\(not in this build of the service\)/);
    // Every row is what scoring its input gives, so it equals what an uninterrupted build writes.
    const sample = await db.query(
      `SELECT i.conversation_id, t.data->'turns' AS transcript, i.duration, i.context, i.input_hash, s.id, s.score, s.analysis
         FROM feedback_inputs i JOIN events t ON t.position = i.transcript_position JOIN feedback_scores s ON s.conversation_id = i.conversation_id AND s.analyzer = 'baseline@1'
        WHERE i.conversation_id IN (SELECT md5('c' || g)::uuid FROM generate_series(1, $1, 97) g)`,
      [CONVERSATIONS],
    );
    expect(sample.rows.length).toBeGreaterThan(600);
    for (const row of sample.rows) {
      const expected = score(baseline, {
        conversationId: row.conversation_id,
        transcript: row.transcript,
        duration: row.duration,
        context: row.context,
        inputHash: row.input_hash,
      })!;
      expect({ id: row.id, score: row.score, analysis: row.analysis }).toEqual({ id: expected.id, score: expected.score, analysis: expected.analysis });
    }
  }, 120_000);
});
