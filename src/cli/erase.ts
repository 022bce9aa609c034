import type pg from 'pg';
import { loadConfig } from '../config.js';
import { conversationStream } from '../events/streams.js';
import { eraseConversation, type ErasureDeps, type ErasureTarget } from '../privacy/erase.js';
import { findConversation, findErasedConversation } from '../projections/readModels/conversationQueries.js';

// `tavus-feedback erase`: the operator erases one conversation, or every conversation of a user (a
// request under the right to erasure that came some other way than the app).

async function withErasure<T>(pool: pg.Pool, fn: (deps: ErasureDeps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const remover = config.recordings ? (await import('../storage/remove.js')).openRecordingRemover(config.recordings.storage) : undefined;
  try {
    return await fn({ pool, removeRecording: remover?.remove });
  } finally {
    remover?.close();
  }
}

export async function eraseOne(pool: pg.Pool, ref: string, print: (line: string) => void): Promise<void> {
  const row = await findConversation(pool, ref, null);
  if (!row) {
    const erased = await findErasedConversation(pool, ref);
    if (!erased) throw new Error(`no conversation ${ref}`);
    print(`conversation ${erased.conversation_id} was erased already (${erased.erased_at.toISOString()}, by ${erased.erased_by})`);
    return;
  }
  const target: ErasureTarget = { conversationId: row.id, streamId: conversationStream(row.conversation_id) };
  const outcome = await withErasure(pool, (deps) => eraseConversation(deps, target, 'operator'));
  print(`conversation ${row.id} erased${outcome.recordingsDeleted > 0 ? `, its recording deleted from storage` : ''}`);
}

export async function eraseUser(pool: pg.Pool, userId: string, print: (line: string) => void): Promise<void> {
  const { rows } = await pool.query<{ id: string; conversation_id: string }>('SELECT id, conversation_id FROM conversations WHERE user_id = $1 ORDER BY id', [
    userId,
  ]);
  let erased = 0;
  await withErasure(pool, async (deps) => {
    for (const row of rows) {
      const outcome = await eraseConversation(deps, { conversationId: row.id, streamId: conversationStream(row.conversation_id) }, 'operator');
      if (outcome.erased) erased++;
    }
  });
  print(`${erased} conversation${erased === 1 ? '' : 's'} of user ${userId} erased`);
}
