import { expect } from 'vitest';
import type { DomainEvent } from '../../src/events/types.js';

// given(events).when(command).then(events) | .thenRejected(reason): a decider's behaviour stated as
// the history before, the request, and what it records or why it refuses.

export interface Decider<S, C, D> {
  initialState: S;
  evolve: (state: S, event: DomainEvent) => S;
  decide: (state: S, command: C) => D;
}

type Accepted = { accepted: true; events: DomainEvent[] };
type Rejected = { accepted: false; rejection: { reason: string } };

export function deciderSpec<S, C, D extends Accepted | Rejected>(decider: Decider<S, C, D>) {
  return {
    given(history: DomainEvent[]) {
      return {
        when(command: C) {
          const decision = () => decider.decide(history.reduce(decider.evolve, decider.initialState), command);
          return {
            /** The events recorded, each matched as a subset (toMatchObject), in order. */
            then(expected: object[]): DomainEvent[] {
              const d = decision();
              if (!d.accepted) throw new Error(`expected events, but the command was rejected: ${d.rejection.reason}`);
              expect(d.events).toMatchObject(expected);
              expect(d.events).toHaveLength(expected.length);
              return d.events;
            },
            thenRejected(reason: string): void {
              const d = decision();
              if (d.accepted) throw new Error(`expected a rejection (${reason}), but it recorded ${d.events.map((e) => e.type).join(', ') || 'nothing'}`);
              expect(d.rejection.reason).toBe(reason);
            },
          };
        },
      };
    },
  };
}
