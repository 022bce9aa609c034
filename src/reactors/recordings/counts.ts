import type pg from 'pg';
import { RECORDINGS_REACTOR } from './awaitingCopies.js';

// Where the recordings stand, for operators (`tavus-feedback recordings status`, GET /metrics).

export interface RecordingCounts {
  copying: number;
  stored: number;
  failed: number;
  /** Conversations whose copy is parked (dead_letters, reactor:recordings@1). */
  parked: number;
}

const SQL = `
SELECT count(*) FILTER (WHERE status = 'copying')::int AS copying, count(*) FILTER (WHERE status = 'stored')::int AS stored,
       count(*) FILTER (WHERE status = 'failed')::int AS failed,
       (SELECT count(*) FROM dead_letters WHERE projection = $1)::int AS parked
  FROM recordings`;

export async function countRecordings(db: pg.Pool | pg.PoolClient): Promise<RecordingCounts> {
  const { rows } = await db.query<RecordingCounts>(SQL, [RECORDINGS_REACTOR]);
  return rows[0]!;
}
