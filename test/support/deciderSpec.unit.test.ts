import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/events/types.js';
import { deciderSpec } from './deciderSpec.js';

// The helper must fail when the decider does something else, or the specs written with it prove nothing.

const perception = (analysis: string): DomainEvent => ({ type: 'PerceptionAnalysisReceived', data: { analysis } });

/** Records a note unless one was recorded before. */
const notes = deciderSpec({
  initialState: 0,
  evolve: (n: number) => n + 1,
  decide: (n: number, text: string) =>
    n > 0 ? { accepted: false as const, rejection: { reason: 'already noted' } } : { accepted: true as const, events: [perception(text)] },
});

describe('given/when/then for deciders', () => {
  it('passes when the decider records what is stated, and fails when it records something else', () => {
    notes
      .given([])
      .when('hello')
      .then([{ type: 'PerceptionAnalysisReceived', data: { analysis: 'hello' } }]);
    expect(() =>
      notes
        .given([])
        .when('hello')
        .then([{ data: { analysis: 'bye' } }]),
    ).toThrow();
    expect(() => notes.given([]).when('hello').then([])).toThrow();
  });

  it('folds the given history first, and tells a rejection from events', () => {
    notes
      .given([perception('a')])
      .when('b')
      .thenRejected('already noted');
    expect(() =>
      notes
        .given([perception('a')])
        .when('b')
        .thenRejected('other'),
    ).toThrow();
    expect(() => notes.given([]).when('b').thenRejected('already noted')).toThrow(/recorded PerceptionAnalysisReceived/);
    expect(() =>
      notes
        .given([perception('a')])
        .when('b')
        .then([]),
    ).toThrow(/rejected: already noted/);
  });
});
