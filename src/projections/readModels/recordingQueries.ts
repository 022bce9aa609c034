import type pg from 'pg';

// What readers ask of the recordings read model: a conversation's recordings, the one GET
// .../recording answers first.

export interface RecordingRecord {
  source: string;
  status: 'copying' | 'stored' | 'failed';
  storedBucket: string | null;
  storedKey: string | null;
  bytes: number | null;
  sha256: string | null;
  contentType: string | null;
  durationSeconds: number | null;
  error: string | null;
  updatedAt: Date;
}

type Row = {
  source: string;
  status: RecordingRecord['status'];
  stored_bucket: string | null;
  stored_key: string | null;
  bytes: string | null;
  sha256: string | null;
  content_type: string | null;
  duration_seconds: number | null;
  error: string | null;
  updated_at: Date;
};

const recordOf = (r: Row): RecordingRecord => ({
  source: r.source,
  status: r.status,
  storedBucket: r.stored_bucket,
  storedKey: r.stored_key,
  bytes: r.bytes === null ? null : Number(r.bytes),
  sha256: r.sha256,
  contentType: r.content_type,
  durationSeconds: r.duration_seconds,
  error: r.error,
  updatedAt: r.updated_at,
});

const COLUMNS = 'source, status, stored_bucket, stored_key, bytes, sha256, content_type, duration_seconds, error, updated_at';
// A conversation's recording, when it has several: one kept before one still copying before a
// failure Tavus reported (a later recording may have succeeded), then by source, so the answer ignores order.
const RANK = `CASE status WHEN 'stored' THEN 0 WHEN 'copying' THEN 1 ELSE 2 END, source`;

/** Every recording of one conversation (our id), the one GET .../recording answers first. */
export async function findRecordings(db: pg.Pool | pg.PoolClient, conversationId: string): Promise<RecordingRecord[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM recordings WHERE conversation_id = $1 ORDER BY ${RANK}`, [conversationId]);
  return rows.map(recordOf);
}
