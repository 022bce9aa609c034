import type pg from 'pg';
import { isDataException } from '../db/errors.js';
import { inTransaction } from '../db/transaction.js';
import { appendBatch, claimKey, type AppendResult, type Claim, type Delivery, type StoredDelivery } from './appendBatch.js';
import { Batcher, type BatcherOptions } from '../events/batcher.js';
import { notifyAppended } from '../events/notifyAppended.js';
import type { AppendableEvent, NewEvent } from '../events/types.js';
import type { DataKey, Keyring } from '../privacy/keyring.js';
import { keyedBodyDigest, sealBody, sealEvent } from '../privacy/sealing.js';

// The one door every command goes through (a callback, a conversation started, an LLM's answer): for
// a batch of concurrent requests it loads the state of every stream involved in one query, calls the
// command's pure decide for each, and appends every accepted request's events, with what they bring
// along (deliveries, token claims), in one statement and one commit. Each caller's promise resolves
// after that commit, so nothing is acknowledged before it is durable, and after it the writer reads
// what it wrote: the events are in the history at once, and a decision that asks for read-your-writes
// has its streams projected inline, in the same transaction (the conversation a user just created
// is readable as soon as the 201 is). The ordering of appends (migration 0016) and the wake-ups of
// readers are taken care of here and nowhere else. So is sealing: personal fields and callback
// bodies are encrypted under their conversation's key (src/privacy/) before they leave this process,
// and what is decided for a conversation already erased is answered as recorded and not stored.

export type Decision<R, A = undefined> =
  | {
      accepted: true;
      events: NewEvent[];
      delivery?: Delivery;
      claim?: Claim;
      /** Project the stream in the appending transaction: the caller reads the read model next. */
      readYourWrites?: boolean;
      /** What the caller is answered besides the count (the id of a conversation already started). */
      reply?: A;
    }
  | { accepted: false; rejection: R };

export type Outcome<R, A = undefined> =
  | {
      outcome: 'recorded';
      streamId: string;
      appended: number;
      reply?: A;
      /** The conversation was erased: nothing was stored, and nothing will be for it. */
      erased?: true;
    }
  | { outcome: 'rejected'; rejection: R };

/** What a command gives the door: how to load its state, how to decide, and its refusals. */
export interface GroupCommitCommand<C, S, R, A = undefined> {
  streamOf(command: C): string;
  /** The states of the commands' streams, in the commands' order, in one query. */
  loadStates(db: pg.Pool, commands: C[]): Promise<S[]>;
  decide(state: S, command: C): Decision<R, A>;
  /** A racing request bound the token to another stream between our read and our append. */
  claimLost: R;
  /** The request's values were refused by the store (bad text, or a bug deciding it): its own 400. */
  unstorable(detail: string): R;
}

export interface GroupCommitOptions extends BatcherOptions {
  /** Writes the read models of these streams inside the appending transaction (read-your-writes). */
  projectInline?: (client: pg.PoolClient, streamIds: string[]) => Promise<void>;
  /** Events were committed: readers in this process may look now (others hear the NOTIFY). */
  onAppended?: () => void;
  /** An append has been waiting this long (behind another appender's lock, or a slow database). */
  slowAppendMs?: number;
  onSlowAppend?: () => void;
}

const DEFAULTS: BatcherOptions = { maxBatch: 256, maxInFlight: 2, maxQueued: 5_000 };

type Decided<R, A> = Outcome<R, A> | { claim: Claim | null; keys: string[]; reply?: A };

export class GroupCommit<C, S, R, A = undefined> {
  private readonly batcher: Batcher<C, Outcome<R, A>>;
  private readonly options: Partial<GroupCommitOptions>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly keyring: Keyring,
    private readonly command: GroupCommitCommand<C, S, R, A>,
    options: Partial<GroupCommitOptions> = {},
  ) {
    this.options = options;
    this.batcher = new Batcher((items) => this.writeIsolatingBadValues(items), { ...DEFAULTS, ...options });
  }

  /** Rejects with BatcherFullError when too many wait, and with the database's error when it fails. */
  submit(command: C): Promise<Outcome<R, A>> {
    return this.batcher.submit(command);
  }

  drained(): Promise<void> {
    return this.batcher.drained();
  }

  // Postgres can still refuse a value that passed validation. One such request must not fail the
  // others batched with it: retry them one by one, and answer the refused one alone.
  private async writeIsolatingBadValues(commands: C[]): Promise<Outcome<R, A>[]> {
    try {
      return await this.write(commands);
    } catch (err) {
      if (!isDataException(err)) throw err;
      if (commands.length === 1) return [{ outcome: 'rejected', rejection: this.command.unstorable((err as Error).message) }];
      const outcomes: Outcome<R, A>[] = [];
      for (const c of commands) outcomes.push(...(await this.writeIsolatingBadValues([c])));
      return outcomes;
    }
  }

  private decideSafely(state: S, command: C): Decision<R, A> {
    try {
      return this.command.decide(state, command);
    } catch (err) {
      return { accepted: false, rejection: this.command.unstorable(`it could not be decided: ${(err as Error).message}`) };
    }
  }

  private async write(commands: C[]): Promise<Outcome<R, A>[]> {
    // The keys are read beside the states, not after them: every event and delivery decided belongs
    // to its command's stream, and a round trip more a batch would lengthen every commit.
    const [states, keys] = await Promise.all([
      this.command.loadStates(this.pool, commands),
      this.keyring.forWriting(
        this.pool,
        commands.map((c) => this.command.streamOf(c)),
      ),
    ]);
    const events: NewEvent[] = [];
    const eventClaims: (Claim | null)[] = [];
    const deliveries: Delivery[] = [];
    const claims = new Map<string, Claim>();
    const keysInBatch = new Set<string>();
    const inline = new Set<string>();
    const decided: Decided<R, A>[] = [];

    commands.forEach((command, i) => {
      const decision = this.decideSafely(states[i] as S, command);
      if (!decision.accepted) return decided.push({ outcome: 'rejected', rejection: decision.rejection });
      const claim = decision.claim ?? null;
      if (claim) {
        // The state was read before this batch: a token claimed earlier in it for another stream wins.
        const earlier = claims.get(claim.token);
        if (earlier && earlier.streamId !== claim.streamId) return decided.push({ outcome: 'rejected', rejection: this.command.claimLost });
        claims.set(claim.token, claim);
      }
      // The same fact twice in one batch goes in once, credited to the first delivery.
      const fresh = decision.events.filter((e) => !keysInBatch.has(e.idempotencyKey));
      for (const e of fresh) {
        keysInBatch.add(e.idempotencyKey);
        events.push(e);
        eventClaims.push(claim);
      }
      if (decision.delivery) deliveries.push({ ...decision.delivery, claim });
      if (decision.readYourWrites) inline.add(this.command.streamOf(command));
      decided.push({ claim, keys: fresh.map((e) => e.idempotencyKey), reply: decision.reply });
    });

    const sealed = sealForAppend(keys, events, eventClaims, deliveries);
    const append = { deliveries: sealed.deliveries, eventClaims: sealed.eventClaims, claims: [...claims.values()] };
    const slow = setTimeout(() => this.options.onSlowAppend?.(), this.options.slowAppendMs ?? 1_000);
    const { appended, lostClaims } = await (
      inline.size > 0 ? this.appendAndProject(sealed.events, append, [...inline]) : appendBatch(this.pool, sealed.events, append)
    ).finally(() => clearTimeout(slow));
    if (appended.size > 0) await this.announce();
    return decided.map((d, i) => {
      if ('outcome' in d) return d;
      if (d.claim && lostClaims.has(claimKey(d.claim))) return { outcome: 'rejected', rejection: this.command.claimLost };
      const streamId = this.command.streamOf(commands[i]!);
      const appendedHere = d.keys.filter((k) => appended.has(sealed.keyOf.get(k) ?? '')).length;
      return {
        outcome: 'recorded',
        streamId,
        appended: appendedHere,
        ...(d.reply !== undefined ? { reply: d.reply } : {}),
        ...(keys.get(streamId) === 'erased' ? { erased: true as const } : {}),
      };
    });
  }

  // Rare (a conversation started): the append lock is then held for two more round trips.
  private appendAndProject(events: AppendableEvent[], append: Parameters<typeof appendBatch>[2], streamIds: string[]): Promise<AppendResult> {
    return inTransaction(this.pool, async (client) => {
      const result = await appendBatch(client, events, append);
      await this.options.projectInline?.(client, streamIds);
      return result;
    });
  }

  // After the commit, in a statement of its own (see notifyAppended.ts). Committed is committed: a
  // lost notification only delays readers until their next poll.
  private async announce(): Promise<void> {
    this.options.onAppended?.();
    await notifyAppended(this.pool).catch(() => {});
  }
}

function keyOf(keys: Map<string, DataKey | 'erased'>, streamId: string): DataKey | 'erased' {
  const key = keys.get(streamId);
  if (!key) throw new Error(`a decision wrote to ${streamId}, a stream its command does not name`);
  return key;
}

/**
 * The batch as it is stored: each event and delivery sealed under its conversation's key, those of
 * erased conversations left out. `keyOf` maps the idempotency keys decided (plain content digests,
 * never stored) to the keyed ones appended.
 */
function sealForAppend(
  keys: Map<string, DataKey | 'erased'>,
  events: NewEvent[],
  eventClaims: (Claim | null)[],
  deliveries: Delivery[],
): { events: AppendableEvent[]; eventClaims: (Claim | null)[]; deliveries: StoredDelivery[]; keyOf: Map<string, string> } {
  const out = { events: [] as AppendableEvent[], eventClaims: [] as (Claim | null)[], deliveries: [] as StoredDelivery[], keyOf: new Map<string, string>() };
  events.forEach((event, i) => {
    const key = keyOf(keys, event.streamId);
    if (key === 'erased') return;
    const stored = sealEvent(event, key);
    out.keyOf.set(event.idempotencyKey, stored.idempotencyKey);
    out.events.push(stored);
    out.eventClaims.push(eventClaims[i] ?? null);
  });
  for (const delivery of deliveries) {
    const key = keyOf(keys, delivery.streamId);
    if (key === 'erased') continue;
    const { receivedBody, ...stored } = delivery;
    out.deliveries.push({ ...stored, body: sealBody(key, delivery.streamId, delivery.body), bodyDigest: keyedBodyDigest(key, receivedBody) });
  }
  return out;
}
