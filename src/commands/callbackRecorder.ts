import type pg from 'pg';
import { isDataException } from '../db/errors.js';
import { appendEvents, type Delivery } from '../events/appendEvents.js';
import { uuid7 } from '../events/uuid7.js';
import { readStartedConversations } from '../events/readStartedConversations.js';
import type { NewEvent } from '../events/types.js';
import { callbackType } from '../tavus/callbacks.js';
import { GroupCommit } from './groupCommit.js';
import { decideCallback, streamOf, type RecordCallback } from './recordCallback.js';

/** Ids of deliveries are time-ordered: the callbacks table's index grows at one end. */
export const newDeliveryId = (): string => uuid7();

export type CallbackOutcome =
  | { outcome: 'recorded'; streamId: string; appended: number }
  | { outcome: 'rejected'; status: 400 | 401 | 404; message: string };

/**
 * Writes callbacks in batches: one statement that checks tokens against the streams' starts, appends
 * the new facts and keeps every delivery, one commit (plus a read of the starts for token-less
 * callbacks, WEBHOOK_AUTH=none only). A caller's promise resolves after that commit.
 */
export class CallbackRecorder {
  private readonly group: GroupCommit<{ command: RecordCallback; body: string }, CallbackOutcome>;

  constructor(
    private readonly pool: pg.Pool,
    options = { maxBatch: 256, maxInFlight: 2 },
  ) {
    this.group = new GroupCommit((items) => this.writeIsolatingBadValues(items), options);
  }

  /** `body` is the raw request body, kept verbatim for the audit trail. */
  record(command: RecordCallback, body: string): Promise<CallbackOutcome> {
    return this.group.submit({ command, body });
  }

  drained(): Promise<void> {
    return this.group.drained();
  }

  // Bodies are validated before they get here, yet Postgres can still refuse a value (text it cannot
  // store, say). One such callback must not fail the others batched with it: retry them one by one,
  // and answer the one Postgres refuses with a 400 that says why.
  private async writeIsolatingBadValues(items: { command: RecordCallback; body: string }[]): Promise<CallbackOutcome[]> {
    try {
      return await this.write(items);
    } catch (err) {
      if (!isDataException(err)) throw err;
      if (items.length === 1) return [{ outcome: 'rejected', status: 400, message: `the database refused a value: ${(err as Error).message}` }];
      const outcomes: CallbackOutcome[] = [];
      for (const item of items) outcomes.push(...(await this.writeIsolatingBadValues([item])));
      return outcomes;
    }
  }

  private async write(items: { command: RecordCallback; body: string }[]): Promise<CallbackOutcome[]> {
    // Only callbacks without a token need to know whether their conversation started (else 404);
    // a token's binding to its stream is checked by the append statement itself.
    const unverified = [...new Set(items.filter((i) => i.command.tokenConversationId === null).map((i) => streamOf(i.command)))];
    const started = await readStartedConversations(this.pool, unverified);

    const events: NewEvent[] = [];
    const owners: (string | null)[] = [];
    const deliveries: Delivery[] = [];
    const keysInBatch = new Set<string>();
    const outcomes: (CallbackOutcome | NewEvent[])[] = [];
    for (const { command, body } of items) {
      const streamId = streamOf(command);
      const decision = decideCallback(started.get(streamId), command);
      if (decision.outcome === 'rejected') {
        outcomes.push(decision);
        continue;
      }
      // The same fact twice in one batch goes in once, credited to the first delivery.
      const fresh = decision.events.filter((e) => !keysInBatch.has(e.idempotencyKey));
      for (const e of fresh) {
        keysInBatch.add(e.idempotencyKey);
        events.push(e);
        owners.push(command.tokenConversationId);
      }
      outcomes.push(fresh);
      deliveries.push({
        id: command.delivery.id,
        receivedAt: command.delivery.receivedAt,
        streamId,
        eventType: command.callback.kind === 'single_body' ? null : callbackType(command.callback),
        bodySha256: command.delivery.bodySha256,
        body,
        requestId: command.delivery.requestId,
        owner: command.tokenConversationId,
      });
    }

    const { appended, foreign } = await appendEvents(this.pool, events, deliveries, owners);
    return outcomes.map((o, i) => {
      if (!Array.isArray(o)) return o;
      const { command } = items[i]!;
      const streamId = streamOf(command);
      if (foreign.has(`${streamId} ${command.tokenConversationId}`)) {
        return { outcome: 'rejected', status: 401, message: 'this callback token belongs to another conversation' };
      }
      return { outcome: 'recorded', streamId, appended: o.filter((e) => appended.has(e.idempotencyKey)).length };
    });
  }
}
