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

/**
 * Reads the history up to what is committed now (appenders number events in commit order, so a read
 * that finds nothing more has seen everything committed before the call); resolves with the count.
 */
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
