import type { Logger } from 'pino';
import type { Listener } from '../../db/listener.js';
import { createPool } from '../../db/pool.js';
import { Lease } from '../lease.js';
import { kurrentStreams } from './kurrentStreams.js';
import { Relay } from './relay.js';

// What the service runs when KURRENTDB_URL is set: the relay, in whichever instance holds the
// `relay` lease, on connections of its own so that it never takes one a callback needs.

export interface RelaySettings {
  databaseUrl: string;
  /** DATABASE_URL is a transaction pooler (no session settings at connect). */
  pooled?: boolean;
  /** The process's LISTEN connection. */
  listener?: Listener;
  kurrentDbUrl: string;
  /** This instance's name in the leases table. */
  owner: string;
  logger: Logger;
  leaseTtlMs?: number;
}

export interface RunningRelay {
  relay: Relay;
  lease: Lease;
  stop(): Promise<void>;
}

export const RELAY_LEASE = 'relay';

export async function startRelay(settings: RelaySettings): Promise<RunningRelay> {
  const log = settings.logger;
  // No JIT: the batch read's cost estimate can cross its threshold on a large history (stale
  // statistics make each stream look long), and compiling took 75 ms for a read that runs in 2.
  const pool = createPool(settings.databaseUrl, {
    max: 3,
    applicationName: 'tavus-feedback-relay',
    parallelQuery: false,
    jit: false,
    pooled: settings.pooled,
  });
  const store = kurrentStreams(settings.kurrentDbUrl);
  const relay = new Relay(pool, store, { logger: log, listener: settings.listener });
  const lease = new Lease(
    pool,
    {
      name: RELAY_LEASE,
      owner: settings.owner,
      ttlMs: settings.leaseTtlMs,
      onChange: (held) =>
        log.info(
          { owner: settings.owner },
          held ? 'relay: this instance holds the relay lease and publishes to KurrentDB' : 'relay: lease lost; another instance publishes',
        ),
      onError: (err) => log.warn({ err }, 'relay: lease renewal failed'),
    },
    relay,
  );
  await lease.start();
  return {
    relay,
    lease,
    async stop() {
      await lease.stop();
      await store.close();
      await pool.end();
    },
  };
}
