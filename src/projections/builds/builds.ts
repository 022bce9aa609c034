import type pg from 'pg';

export interface Build {
  analyzer: string;
  status: 'building' | 'built';
  startedAt: Date;
  builtAt: Date | null;
  scored: number | null;
  seconds: number | null;
  rows: number;
  live: boolean;
}

export async function listBuilds(db: pg.Pool | pg.PoolClient): Promise<Build[]> {
  const result = await db.query<{
    analyzer: string;
    status: Build['status'];
    started_at: Date;
    built_at: Date | null;
    scored: string | null;
    seconds: number | null;
    rows: string;
    live: boolean;
  }>(
    `SELECT b.analyzer, b.status, b.started_at, b.built_at, b.scored, b.seconds,
            (SELECT count(*) FROM feedback_scores s WHERE s.analyzer = b.analyzer) AS rows,
            b.analyzer = (SELECT analyzer FROM feedback_live) AS live
       FROM feedback_builds b ORDER BY b.analyzer`,
  );
  return result.rows.map((r) => ({
    analyzer: r.analyzer,
    status: r.status,
    startedAt: r.started_at,
    builtAt: r.built_at,
    scored: r.scored === null ? null : Number(r.scored),
    seconds: r.seconds,
    rows: Number(r.rows),
    live: r.live ?? false,
  }));
}

/** Which of `analyzers` have a build (building or built), in no particular order. */
export async function buildsAmong(db: pg.Pool | pg.PoolClient, analyzers: string[]): Promise<string[]> {
  const result = await db.query<{ analyzer: string }>('SELECT analyzer FROM feedback_builds WHERE analyzer = ANY($1::text[])', [analyzers]);
  return result.rows.map((r) => r.analyzer);
}

/** Registers a build; answers its status, which stays `built` for a version built before. */
export async function startBuild(db: pg.Pool | pg.PoolClient, analyzer: string): Promise<Build['status']> {
  const result = await db.query<{ status: Build['status'] }>(
    `INSERT INTO feedback_builds (analyzer, status) VALUES ($1, 'building')
     ON CONFLICT (analyzer) DO UPDATE SET analyzer = excluded.analyzer
     RETURNING status`,
    [analyzer],
  );
  return result.rows[0]!.status;
}

export async function finishBuild(client: pg.PoolClient, analyzer: string, scored: number, seconds: number): Promise<void> {
  await client.query(`UPDATE feedback_builds SET status = 'built', built_at = now(), scored = $2, seconds = $3 WHERE analyzer = $1 AND status = 'building'`, [
    analyzer,
    scored,
    seconds,
  ]);
}
