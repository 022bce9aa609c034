import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';

let database: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const rubric = {
  criteria: [
    { name: 'Asks open questions', check: { kind: 'metric', metric: 'openQuestions', min: 2 }, affects: ['communicationScore'] },
    { name: 'Avoids blame', check: { kind: 'avoid', phrases: ['your fault'] } },
  ],
};

describe('tavus-feedback scenario add', () => {
  it('stores a scenario with a valid rubric under the id given', async () => {
    const id = randomUUID();
    const added = runCli(['scenario', 'add', '--name', 'Hard talk', '--id', id, '--rubric', JSON.stringify(rubric)], { env: { DATABASE_URL: database.url } });
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout.trim()).toBe(id);
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const row = (await db.query('SELECT name, rubric FROM scenarios WHERE id = $1', [id])).rows[0];
    await db.end();
    expect(row).toEqual({ name: 'Hard talk', rubric });
  });

  it('refuses a rubric that does not validate, naming the path', () => {
    const bad = { criteria: [{ name: 'x', check: { kind: 'metric', metric: 'openQuestions', min: 'two' } }] };
    const result = runCli(['scenario', 'add', '--name', 'Bad', '--rubric', JSON.stringify(bad)], { env: { DATABASE_URL: database.url } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not a valid rubric:\n\s+criteria\.0\.check/);
  });
});
