import { callbackType } from '../../tavus/callbacks.js';
import type { Decision } from '../groupCommit.js';
import type { Rejection } from '../rejections.js';
import { streamOf, type RecordCallback } from './command.js';
import { factsOf } from './facts.js';
import type { CallbackState } from './state.js';

// Whether a callback may be recorded, and what it records. Pure: the state and the command come in,
// events (with the delivery to keep) or a rejection reason go out.

const reject = (rejection: Rejection): Decision<Rejection> => ({ accepted: false, rejection });

export function decide(state: CallbackState, command: RecordCallback): Decision<Rejection> {
  const { token, policy } = command;
  const streamId = streamOf(command);
  const started = state.stream.started;

  if (token === null) {
    if (policy.requireToken) return reject({ reason: 'token_required' });
    // Without a token we only accept conversations we know.
    if (!started) return reject({ reason: 'unknown_conversation', conversationId: command.callback.body.conversation_id });
    return accept(command, streamId);
  }

  const issuedAt = started ? Date.parse(started.startedAt) : (token.issuedAt?.getTime() ?? NaN);
  if (Number.isFinite(issuedAt) && command.delivery.receivedAt.getTime() - issuedAt > policy.tokenTtlSeconds * 1000) {
    return reject({ reason: 'token_expired' });
  }
  if (started) return started.id === token.conversationId ? accept(command, streamId) : reject({ reason: 'foreign_token' });
  if (state.tokenBoundTo !== null) return state.tokenBoundTo === streamId ? accept(command, streamId) : reject({ reason: 'foreign_token' });
  // A genuine token racing ahead of our own record of its conversation's start: it binds to this
  // stream now, and to no other ever.
  return accept(command, streamId, { token: token.conversationId, streamId });
}

function accept(command: RecordCallback, streamId: string, claim?: { token: string; streamId: string }): Decision<Rejection> {
  const { delivery, callback } = command;
  return {
    accepted: true,
    events: factsOf(command),
    delivery: {
      id: delivery.id,
      receivedAt: delivery.receivedAt,
      streamId,
      eventType: callback.kind === 'single_body' ? null : callbackType(callback),
      receivedBody: delivery.receivedBody,
      body: delivery.storedBody,
      requestId: delivery.requestId,
      source: command.source ?? 'tavus-callback',
      claim: null,
    },
    ...(claim ? { claim } : {}),
  };
}
