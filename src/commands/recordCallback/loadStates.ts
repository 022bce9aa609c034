import type pg from 'pg';
import { streamOf, type RecordCallback } from './command.js';
import { initialStreamState, type CallbackState, type StreamState } from './state.js';

// The state of every callback in a batch, in one round trip: the starts of their streams and the
// bindings of their tokens.
const SQL = `
SELECT 'start' AS kind, stream_id AS key, data->>'id' AS id, data->>'userId' AS user_id, data->>'startedAt' AS started_at
  FROM events WHERE stream_id = ANY($1::text[]) AND type = 'ConversationStarted'
UNION ALL
SELECT 'binding', token::text, stream_id, NULL, NULL
  FROM token_bindings WHERE token = ANY($2::uuid[])`;

type Row = { kind: 'start' | 'binding'; key: string; id: string; user_id: string | null; started_at: string | null };

export async function readStreamStates(
  db: pg.Pool | pg.PoolClient,
  streamIds: string[],
  tokens: string[],
): Promise<{ streams: Map<string, StreamState>; bindings: Map<string, string> }> {
  const streams = new Map<string, StreamState>();
  const bindings = new Map<string, string>();
  if (streamIds.length === 0 && tokens.length === 0) return { streams, bindings };
  const { rows } = await db.query<Row>(SQL, [streamIds, tokens]);
  for (const row of rows) {
    if (row.kind === 'start') streams.set(row.key, { started: { id: row.id, userId: row.user_id!, startedAt: row.started_at! } });
    else bindings.set(row.key, row.id);
  }
  return { streams, bindings };
}

export async function loadCallbackStates(db: pg.Pool, commands: RecordCallback[]): Promise<CallbackState[]> {
  const streamIds = [...new Set(commands.map(streamOf))];
  const tokens = [...new Set(commands.flatMap((c) => (c.token ? [c.token.conversationId] : [])))];
  const { streams, bindings } = await readStreamStates(db, streamIds, tokens);
  return commands.map((c) => ({
    stream: streams.get(streamOf(c)) ?? initialStreamState,
    tokenBoundTo: c.token ? (bindings.get(c.token.conversationId) ?? null) : null,
  }));
}
