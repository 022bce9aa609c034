import type pg from 'pg';
import { isDataException } from '../db/errors.js';
import { appendEvents, claimKey, type Claim, type Delivery } from './appendEvents.js';
import { Batcher, type BatcherOptions } from './batcher.js';
import type { NewEvent } from './types.js';

// Group commit: the read-decide-append of concurrent requests, batched. For a batch it loads the
// state of every stream involved in one query, calls the command's pure decide for each request,
// and appends every accepted request's events and delivery in one statement and one commit. Each
// caller's promise resolves after that commit, so nothing is acknowledged before it is durable.

export type Decision<R> = { accepted: true; events: NewEvent[]; delivery?: Delivery; claim?: Claim } | { accepted: false; rejection: R };

export type Outcome<R> = { outcome: 'recorded'; streamId: string; appended: number } | { outcome: 'rejected'; rejection: R };

/** What a command gives group commit: how to load its state, how to decide, and its refusals. */
export interface GroupCommitCommand<C, S, R> {
  streamOf(command: C): string;
  /** The states of the commands' streams, in the commands' order, in one query. */
  loadStates(db: pg.Pool, commands: C[]): Promise<S[]>;
  decide(state: S, command: C): Decision<R>;
  /** A racing request bound the token to another stream between our read and our append. */
  claimLost: R;
  /** The request's values were refused by the store (bad text, or a bug deciding it): its own 400. */
  unstorable(detail: string): R;
}

const DEFAULTS: BatcherOptions = { maxBatch: 256, maxInFlight: 2, maxQueued: 5_000 };

export class GroupCommit<C, S, R> {
  private readonly batcher: Batcher<C, Outcome<R>>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly command: GroupCommitCommand<C, S, R>,
    options: Partial<BatcherOptions> = {},
  ) {
    this.batcher = new Batcher((items) => this.writeIsolatingBadValues(items), { ...DEFAULTS, ...options });
  }

  /** Rejects with BatcherFullError when too many wait, and with the database's error when it fails. */
  submit(command: C): Promise<Outcome<R>> {
    return this.batcher.submit(command);
  }

  drained(): Promise<void> {
    return this.batcher.drained();
  }

  // Postgres can still refuse a value that passed validation. One such request must not fail the
  // others batched with it: retry them one by one, and answer the refused one alone.
  private async writeIsolatingBadValues(commands: C[]): Promise<Outcome<R>[]> {
    try {
      return await this.write(commands);
    } catch (err) {
      if (!isDataException(err)) throw err;
      if (commands.length === 1) return [{ outcome: 'rejected', rejection: this.command.unstorable((err as Error).message) }];
      const outcomes: Outcome<R>[] = [];
      for (const c of commands) outcomes.push(...(await this.writeIsolatingBadValues([c])));
      return outcomes;
    }
  }

  private decideSafely(state: S, command: C): Decision<R> {
    try {
      return this.command.decide(state, command);
    } catch (err) {
      return { accepted: false, rejection: this.command.unstorable(`it could not be decided: ${(err as Error).message}`) };
    }
  }

  private async write(commands: C[]): Promise<Outcome<R>[]> {
    const states = await this.command.loadStates(this.pool, commands);
    const events: NewEvent[] = [];
    const eventClaims: (Claim | null)[] = [];
    const deliveries: Delivery[] = [];
    const claims = new Map<string, Claim>();
    const keysInBatch = new Set<string>();
    const decided: (Outcome<R> | { claim: Claim | null; keys: string[] })[] = [];

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
      decided.push({ claim, keys: fresh.map((e) => e.idempotencyKey) });
    });

    const { appended, lostClaims } = await appendEvents(this.pool, events, { deliveries, eventClaims, claims: [...claims.values()] });
    return decided.map((d, i) => {
      if ('outcome' in d) return d;
      if (d.claim && lostClaims.has(claimKey(d.claim))) return { outcome: 'rejected', rejection: this.command.claimLost };
      return { outcome: 'recorded', streamId: this.command.streamOf(commands[i]!), appended: d.keys.filter((k) => appended.has(k)).length };
    });
  }
}
