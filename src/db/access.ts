import type { Keyring } from '../privacy/keyring.js';
import type { Listener } from './listener.js';

/** How a part of the service that makes connections of its own reaches the database. */
export interface DatabaseAccess {
  /** DATABASE_URL, direct or through a transaction pooler. */
  url: string;
  /** DATABASE_URL is a transaction pooler: connect without session settings (see pool.ts). */
  pooled: boolean;
  /** The process's LISTEN connection, on a URL that keeps sessions; without it, polling alone. */
  listener?: Listener;
  /** What seals and opens personal data in what it reads and writes (src/privacy/). */
  keyring: Keyring;
}
