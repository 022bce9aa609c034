import type pg from 'pg';
import type { EventHead } from '../../events/types.js';

/** What applying a batch changed that readers may be waiting for; announced after the commit. */
export interface Applied {
  /** Conversations (our ids) whose live feedback row was written. */
  feedbackChanged?: string[];
}

/** A read model fed by the runner: applies a batch inside the runner's transaction. */
export interface Projection {
  /** Its checkpoint's name in projection_checkpoints. */
  name: string;
  /** The batch's events, as heads: a projection reads the content it needs itself. */
  apply(client: pg.PoolClient, events: EventHead[]): Promise<Applied | void>;
}
