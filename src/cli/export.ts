import type pg from 'pg';
import { conversationStream } from '../events/streams.js';
import type { Keyring } from '../privacy/keyring.js';
import { auditTrail } from '../projections/readModels/audit.js';

/**
 * `tavus-feedback export --user <id>`: everything kept of a user's conversations (a subject access
 * request), one JSON line a conversation: the row, every event opened, every callback as received,
 * every version's feedback.
 */
export async function exportUser(pool: pg.Pool, keyring: Keyring, userId: string, write: (line: string) => void): Promise<number> {
  const { rows } = await pool.query<Record<string, unknown> & { id: string; conversation_id: string }>(
    'SELECT * FROM conversations WHERE user_id = $1 ORDER BY created_at, id',
    [userId],
  );
  for (const row of rows) {
    const trail = await auditTrail(pool, keyring, conversationStream(row.conversation_id), row.id);
    write(JSON.stringify({ conversation: row, ...trail }));
  }
  return rows.length;
}
