import type pg from 'pg';
import { readAll, type Checkpoint } from '../../events/readAll.js';
import { inTransaction } from '../../db/transaction.js';
import { readProgress } from './readProgress.js';
import { saveProgress } from './saveProgress.js';

// Keeps reconcile_conversations up to date with the history: every conversation that starts gets a
// row, and every end or transcript moves its row on, whichever channel brought it. Read in commit
// order from a checkpoint, like a projection, so nothing is skipped; the rows and the checkpoint
// move in one short transaction, the checkpoint as a compare-and-set, so the sweeper and a
// `tavus-feedback reconcile` running at once never lose a change (rows only move forward anyway).

const RELEVANT = new Set(['ConversationStarted', 'ConversationEnded', 'TranscriptReceived']);

async function readCheckpoint(db: pg.Pool): Promise<Checkpoint> {
  const { rows } = await db.query<{ transaction_id: string; position: string }>('SELECT transaction_id::text, position::text FROM reconcile_checkpoint');
  const row = rows[0];
  return row ? { transactionId: row.transaction_id, position: row.position } : { transactionId: '0', position: '0' };
}

/** Reads the history up to what is committed now; resolves with the number of events read. */
export async function catchUp(pool: pg.Pool, options: { batchSize?: number; signal?: AbortSignal } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 2_000;
  let read = 0;
  for (;;) {
    if (options.signal?.aborted) return read;
    const from = await readCheckpoint(pool);
    const heads = await readAll(pool, from, batchSize);
    if (heads.length === 0) return read;
    const streams = [...new Set(heads.filter((h) => RELEVANT.has(h.type)).map((h) => h.streamId))];
    const progress = await readProgress(pool, streams);
    const last = heads.at(-1)!;
    const moved = await inTransaction(pool, async (client) => {
      const cas = await client.query(
        `UPDATE reconcile_checkpoint SET transaction_id = $3::xid8, position = $4, updated_at = now()
          WHERE transaction_id = $1::xid8 AND position = $2`,
        [from.transactionId, from.position, last.transactionId, last.position],
      );
      if (cas.rowCount === 0) return false;
      await saveProgress(client, progress);
      return true;
    });
    // Another reader moved the checkpoint meanwhile: start again from where it is now.
    if (moved) read += heads.length;
  }
}

/**
 * Reads every event committed before the call, waiting out transactions that hold the readable
 * horizon back (as the projection runner's drain does). For passes by hand and tests: the sweeper
 * itself reads what is readable and leaves the rest to its next pass.
 */
export async function catchUpToHead(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ head: string | null }>('SELECT max(position)::text AS head FROM events');
  const head = rows[0]!.head ?? '0';
  let read = 0;
  for (;;) {
    read += await catchUp(pool);
    const done = await pool.query<{ done: boolean }>(
      `SELECT NOT EXISTS (
         SELECT 1 FROM reconcile_checkpoint c JOIN events e ON (e.transaction_id, e.position) > (c.transaction_id, c.position)
          WHERE e.position <= $1::bigint
       ) AS done`,
      [head],
    );
    if (done.rows[0]!.done) return read;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
