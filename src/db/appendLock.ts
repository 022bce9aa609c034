import type pg from 'pg';

// The lock every appending transaction takes (migration 0016). Readers never take it; appenders
// wait for it only behind another appender, at most its lock_timeout. When one holds it for long
// (a session that inserted events and then sat idle in its transaction), operators need its name.

/** Key of the advisory lock, as migration 0016 takes it. */
const APPEND_LOCK_KEY = '8387502915206411379';

export interface AppendLockHolder {
  pid: number;
  database: string;
  applicationName: string;
  state: string | null;
  /** Since when its transaction runs, and for how long. */
  transactionStart: Date | null;
  ageSeconds: number;
}

// A bigint advisory key shows in pg_locks as its high half (classid) and low half (objid), objsubid 1.
const SQL = `
SELECT a.pid, a.datname AS database, a.application_name, a.state, a.xact_start,
       extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS age_seconds
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`;

type Row = { pid: number; database: string; application_name: string; state: string | null; xact_start: Date | null; age_seconds: number | null };

export async function readAppendLockHolders(db: pg.Pool | pg.PoolClient): Promise<AppendLockHolder[]> {
  const { rows } = await db.query<Row>(SQL, [APPEND_LOCK_KEY]);
  return rows.map((r) => ({
    pid: r.pid,
    database: r.database,
    applicationName: r.application_name,
    state: r.state,
    transactionStart: r.xact_start,
    ageSeconds: r.age_seconds ?? 0,
  }));
}

/**
 * Names, once per holding transaction, whoever holds the append lock when an append is slow: called
 * whenever one takes longer than it should, it looks the holder up and reports each one only once.
 */
export function appendWaitReporter(db: pg.Pool, report: (holder: AppendLockHolder) => void): () => Promise<void> {
  const reported = new Set<string>();
  return async () => {
    for (const holder of await readAppendLockHolders(db)) {
      const key = `${holder.pid} ${holder.transactionStart?.toISOString()}`;
      if (reported.has(key)) continue;
      reported.add(key);
      if (reported.size > 1_000) reported.delete(reported.values().next().value!);
      report(holder);
    }
  };
}
