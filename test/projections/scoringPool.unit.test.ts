import { describe, expect, it } from 'vitest';
import { findAnalyzer } from '../../src/analysis/registry.js';
import { scoreRows, type StaleInput } from '../../src/projections/builds/scoring.js';
import { createScoringPool } from '../../src/projections/builds/scoringPool.js';

const rows: StaleInput[] = Array.from({ length: 40 }, (_, i) => ({
  conversation_id: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`,
  transcript: JSON.stringify([
    { role: 'user', content: `What happened on day ${i}? It sounds like it was hard.` },
    { role: 'assistant', content: 'It was, I could try a new plan next week.' },
  ]),
  duration: 30 + i,
  context: '{"name":"s"}',
  input_hash: `h${i}`,
}));

describe('scoring threads', () => {
  it('score pages exactly as the main thread does', async () => {
    const pool = createScoringPool('coach@1', 2);
    try {
      const pages = await Promise.all([pool.score(rows.slice(0, 20)), pool.score(rows.slice(20))]);
      const fromThreads = pages.flatMap((json) => JSON.parse(json));
      expect(fromThreads).toEqual(JSON.parse(JSON.stringify(scoreRows(findAnalyzer('coach@1')!, rows))));
    } finally {
      await pool.close();
    }
  });

  it('fail a page instead of hanging when a thread cannot start', async () => {
    const pool = createScoringPool('missing@9', 1);
    try {
      await expect(pool.score(rows)).rejects.toThrow(/unknown analyzer missing@9|exited/);
      await expect(pool.score(rows)).rejects.toThrow();
    } finally {
      await pool.close();
    }
  });
});
