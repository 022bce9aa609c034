import type pg from 'pg';
import { GroupCommit, type GroupCommitOptions, type Outcome } from '../groupCommit.js';
import { uuid7 } from '../../events/uuid7.js';
import type { Keyring } from '../../privacy/keyring.js';
import type { Rejection } from '../rejections.js';
import { streamOf, type RecordCallback } from './command.js';
import { decide } from './decide.js';
import { loadCallbackStates } from './loadStates.js';
import type { CallbackState } from './state.js';

/** Ids of deliveries are time-ordered: the callbacks table's index grows at one end. */
export const newDeliveryId = (): string => uuid7();

export type CallbackOutcome = Outcome<Rejection>;

/** Records callbacks: load state, decide, append, with concurrent requests batched (group commit). */
export class CallbackHandler {
  private readonly group: GroupCommit<RecordCallback, CallbackState, Rejection>;

  constructor(pool: pg.Pool, keyring: Keyring, options: Partial<GroupCommitOptions> = {}) {
    this.group = new GroupCommit(
      pool,
      keyring,
      {
        streamOf,
        loadStates: loadCallbackStates,
        decide,
        claimLost: { reason: 'foreign_token' },
        unstorable: (detail) => ({ reason: 'invalid_value', detail }),
      },
      options,
    );
  }

  /** Resolves after the callback's events are committed (or with why it was refused). */
  handle(command: RecordCallback): Promise<CallbackOutcome> {
    return this.group.submit(command);
  }

  drained(): Promise<void> {
    return this.group.drained();
  }
}
