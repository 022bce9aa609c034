import { SKILL_SCORE_NAMES } from '../../analysis/types.js';
import type pg from 'pg';

// How scores moved between two builds, computed in the database so a million rows cost no memory here.

/** The headline score column and the skills of the analysis. */
export const SCORE_FIELDS = ['score', ...SKILL_SCORE_NAMES] as const;
export type ScoreField = (typeof SCORE_FIELDS)[number];

export interface ScoreShift {
  field: ScoreField;
  changed: number;
  meanA: number;
  meanB: number;
  meanShift: number;
  medianShift: number;
}

export interface Comparison {
  a: string;
  b: string;
  /** Conversations scored by both. */
  common: number;
  onlyA: number;
  onlyB: number;
  shifts: ScoreShift[];
  movers: { conversationId: string; scoreA: number; scoreB: number; shift: number }[];
  /** Ten bins of the headline score (0-9, ..., 90-100): counts in A and in B. */
  histogram: { from: number; to: number; a: number; b: number }[];
}

function fieldSql(alias: string, field: ScoreField): string {
  // Fields come from the fixed list above, never from input.
  return field === 'score' ? `${alias}.score` : `(${alias}.analysis->>'${field}')::numeric`;
}

export async function compareBuilds(db: pg.Pool, a: string, b: string, topMovers = 15): Promise<Comparison> {
  const counts = await db.query<{ common: string; only_a: string; only_b: string }>(
    `SELECT count(*) FILTER (WHERE x.conversation_id IS NOT NULL AND y.conversation_id IS NOT NULL) AS common,
            count(*) FILTER (WHERE y.conversation_id IS NULL) AS only_a,
            count(*) FILTER (WHERE x.conversation_id IS NULL) AS only_b
       FROM (SELECT conversation_id FROM feedback_scores WHERE analyzer = $1) x
       FULL JOIN (SELECT conversation_id FROM feedback_scores WHERE analyzer = $2) y USING (conversation_id)`,
    [a, b],
  );
  const shifts: ScoreShift[] = [];
  for (const field of SCORE_FIELDS) {
    const r = await db.query<{ changed: string; mean_a: string | null; mean_b: string | null; mean_shift: string | null; median_shift: string | null }>(
      `SELECT count(*) FILTER (WHERE va IS DISTINCT FROM vb) AS changed, avg(va) AS mean_a, avg(vb) AS mean_b,
              avg(vb - va) AS mean_shift, percentile_cont(0.5) WITHIN GROUP (ORDER BY vb - va) AS median_shift
         FROM (SELECT ${fieldSql('x', field)} AS va, ${fieldSql('y', field)} AS vb
                 FROM feedback_scores x JOIN feedback_scores y USING (conversation_id)
                WHERE x.analyzer = $1 AND y.analyzer = $2) pairs`,
      [a, b],
    );
    const row = r.rows[0]!;
    shifts.push({
      field,
      changed: Number(row.changed),
      meanA: Number(row.mean_a ?? 0),
      meanB: Number(row.mean_b ?? 0),
      meanShift: Number(row.mean_shift ?? 0),
      medianShift: Number(row.median_shift ?? 0),
    });
  }
  const movers = await db.query<{ conversation_id: string; score_a: number; score_b: number }>(
    `SELECT conversation_id, x.score AS score_a, y.score AS score_b
       FROM feedback_scores x JOIN feedback_scores y USING (conversation_id)
      WHERE x.analyzer = $1 AND y.analyzer = $2 AND x.score <> y.score
      ORDER BY abs(y.score - x.score) DESC, conversation_id LIMIT $3`,
    [a, b, topMovers],
  );
  const bins = await db.query<{ analyzer: string; bin: number; n: string }>(
    `SELECT analyzer, least(score / 10, 9) AS bin, count(*) AS n
       FROM feedback_scores WHERE analyzer = ANY($1::text[]) GROUP BY 1, 2`,
    [[a, b]],
  );
  const histogram = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i === 9 ? 100 : i * 10 + 9, a: 0, b: 0 }));
  for (const row of bins.rows) histogram[row.bin]![row.analyzer === a ? 'a' : 'b'] = Number(row.n);
  const c = counts.rows[0]!;
  return {
    a,
    b,
    common: Number(c.common),
    onlyA: Number(c.only_a),
    onlyB: Number(c.only_b),
    shifts,
    movers: movers.rows.map((m) => ({ conversationId: m.conversation_id, scoreA: m.score_a, scoreB: m.score_b, shift: m.score_b - m.score_a })),
    histogram,
  };
}
