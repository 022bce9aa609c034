import type pg from 'pg';
import { readLeaseHolders } from '../reactors/leaseRows.js';

// `tavus-feedback leases`: which instance does each one-at-a-time job now (the relay, the llm@1
// reactor, the recordings reactor, a reconciliation pass), from the `leases` table. A job nobody
// holds has no row: its holder gave it back, or it never ran.

export async function printLeases(pool: pg.Pool, print: (line: string) => void): Promise<void> {
  const holders = await readLeaseHolders(pool);
  if (holders.length === 0) {
    print('no lease is held: no relay, llm@1 reactor, recordings reactor or reconciliation pass is running');
    return;
  }
  const width = Math.max(...holders.map((h) => h.name.length));
  for (const h of holders) {
    const state = h.expired
      ? `expired ${h.expiresAt.toISOString()}: its holder stopped renewing (killed?); the next instance to try takes it`
      : `since ${h.acquiredAt.toISOString()}, renewed until ${h.expiresAt.toISOString()}`;
    print(`${h.name.padEnd(width)}  ${h.owner}  ${state}`);
  }
}
