import type { DomainEvent } from '../../events/types.js';

// What deciding a callback needs to know. The stream's part is defined by evolve over the stream's
// events; loadStates.ts reads the same thing for a whole batch in one query (a property test holds
// the two together).

export interface StreamState {
  started: { id: string; userId: string; startedAt: string } | null;
}

export const initialStreamState: StreamState = { started: null };

export function evolve(state: StreamState, event: DomainEvent): StreamState {
  switch (event.type) {
    case 'ConversationStarted':
      // A stream has one start (its idempotency key is the stream's own); the first one holds.
      return state.started ? state : { started: { id: event.data.id, userId: event.data.userId, startedAt: event.data.startedAt } };
    default:
      return state;
  }
}

export interface CallbackState {
  stream: StreamState;
  /** The stream the callback's token is bound to, if it is bound (see token_bindings). */
  tokenBoundTo: string | null;
}
