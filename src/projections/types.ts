import type pg from 'pg';
import type { RecordedEvent } from '../events/types.js';

/** A read model fed by the runner: applies a batch inside the runner's transaction. */
export interface Projection {
  /** Its checkpoint's name in projection_checkpoints. */
  name: string;
  apply(client: pg.PoolClient, events: RecordedEvent[]): Promise<void>;
}
