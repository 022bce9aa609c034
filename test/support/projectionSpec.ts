import type pg from 'pg';
import { expect } from 'vitest';
import { appendEvents } from '../../src/events/appendEvents.js';
import type { NewEvent } from '../../src/events/types.js';
import { ensureCheckpoints } from '../../src/projections/runtime/checkpoints.js';
import type { Projection } from '../../src/projections/runtime/projection.js';
import { ProjectionRunner } from '../../src/projections/runtime/runner.js';

// given(events).then(query, rows): a read model's behaviour on real Postgres, stated as the history
// and the rows it must hold. `.thenTwice` also applies the same events again from the start and
// expects the very same rows: projections are idempotent.

export function projectionSpec(pool: pg.Pool, projections: Projection[]) {
  const names = projections.map((p) => p.name);
  const runner = new ProjectionRunner(pool, {
    projections: async (client) => {
      await ensureCheckpoints(client, names);
      return projections;
    },
  });
  const rows = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rows;
  return {
    given(events: NewEvent[]) {
      const applied = async () => {
        await appendEvents(pool, events);
        await runner.drain();
      };
      return {
        async then(sql: string, params: unknown[], expected: object[]): Promise<void> {
          await applied();
          expect(await rows(sql, params)).toEqual(expected);
        },
        async thenTwice(sql: string, params: unknown[], expected: object[]): Promise<void> {
          await applied();
          expect(await rows(sql, params)).toEqual(expected);
          // Back to the start: every event is applied a second time.
          await pool.query("UPDATE projection_checkpoints SET transaction_id = '0'::xid8, position = 0 WHERE name = ANY($1::text[])", [names]);
          await runner.drain();
          expect(await rows(sql, params)).toEqual(expected);
        },
      };
    },
  };
}
