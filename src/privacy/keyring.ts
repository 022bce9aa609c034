import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { open, seal } from './cipher.js';
import { KekError, type Kek } from './kek.js';

// The data keys, one a conversation (a stream), kept in data_keys wrapped by the key-encryption key.
// Every use reads the stream's row: a key erased by another instance is gone for this one at its
// next read. What is remembered is only the unwrapping (an AES-GCM open and a derivation, on every
// batch of the HTTP and projection threads otherwise), and only while the row still holds exactly
// what was unwrapped; an erased or re-wrapped row drops it, and nothing is kept past UNWRAPPED_TTL_MS.

/** A stream's data key, unwrapped, in memory only. */
export interface DataKey {
  streamId: string;
  keyId: string;
  /** What seals the stream's personal fields. */
  key: Buffer;
  /** What keys its digests (idempotency keys, body digests): derived, so one secret is destroyed for both. */
  digestKey: Buffer;
}

/** What a stream's key is: usable, erased (destroyed), or never made (events written before sealing). */
export type KeyState = DataKey | 'erased' | undefined;

interface KeyRow {
  stream_id: string;
  key_id: string;
  kek_id: string | null;
  wrapped: Buffer | null;
}

const READ = 'SELECT stream_id, key_id, kek_id, wrapped FROM data_keys WHERE stream_id = ANY($1::text[])';
const CREATE = `
INSERT INTO data_keys (stream_id, key_id, kek_id, wrapped)
SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::bytea[])
ON CONFLICT (stream_id) DO NOTHING`;

const wrapContext = (streamId: string) => `data key ${streamId}`;

/** How many unwrapped keys a process remembers, and for how long (an erased key is forgotten at its next read, or by then). */
const UNWRAPPED_MAX = 20_000;
const UNWRAPPED_TTL_MS = 5 * 60_000;

interface Unwrapped {
  /** The row's wrapped key when it was unwrapped: any re-wrapping (a fresh nonce) or erasure changes it. */
  wrapped: Buffer;
  key: DataKey;
  until: number;
}

export class Keyring {
  private readonly byId: Map<string, Kek>;
  private readonly unwrapped = new Map<string, Unwrapped>();

  /** `keks[0]` wraps new keys; the others (DATA_KEK_PREVIOUS, during a rotation) still unwrap. */
  constructor(private readonly keks: readonly Kek[]) {
    if (keks.length === 0) throw new KekError('a keyring needs a key-encryption key');
    this.byId = new Map(keks.map((k) => [k.id, k]));
  }

  get currentKek(): Kek {
    return this.keks[0]!;
  }

  /** The keys of streams about to be appended to, made for those that have none. */
  async forWriting(db: pg.Pool | pg.PoolClient, streamIds: readonly string[]): Promise<Map<string, DataKey | 'erased'>> {
    const wanted = [...new Set(streamIds)];
    const found = await this.forReading(db, wanted);
    const missing = wanted.filter((id) => found.get(id) === undefined);
    if (missing.length > 0) {
      const fresh = missing.map((streamId) => ({ streamId, keyId: randomUUID(), wrapped: this.wrap(streamId, randomBytes(32)) }));
      await db.query(CREATE, [fresh.map((f) => f.streamId), fresh.map((f) => f.keyId), fresh.map(() => this.currentKek.id), fresh.map((f) => f.wrapped)]);
      // A racing append may have made some first: read them all again (a new statement sees its commit).
      for (const [id, state] of await this.forReading(db, missing)) found.set(id, state);
    }
    const out = new Map<string, DataKey | 'erased'>();
    for (const id of wanted) {
      const state = found.get(id);
      if (state === undefined) throw new Error(`no data key for ${id} after making one`);
      out.set(id, state);
    }
    return out;
  }

  /** The keys of streams being read; a stream absent from the map has none (its events are in the clear). */
  async forReading(db: pg.Pool | pg.PoolClient, streamIds: readonly string[]): Promise<Map<string, DataKey | 'erased'>> {
    const out = new Map<string, DataKey | 'erased'>();
    if (streamIds.length === 0) return out;
    const { rows } = await db.query<KeyRow>(READ, [streamIds]);
    for (const row of rows) out.set(row.stream_id, this.unwrapRow(row));
    return out;
  }

  wrap(streamId: string, key: Buffer, kek: Kek = this.currentKek): Buffer {
    return seal(kek.key, key, wrapContext(streamId));
  }

  unwrapRow(row: KeyRow): DataKey | 'erased' {
    const known = this.unwrapped.get(row.stream_id);
    if (known) {
      if (row.wrapped !== null && known.wrapped.equals(row.wrapped) && known.until > Date.now()) return known.key;
      this.unwrapped.delete(row.stream_id);
    }
    const state = this.unwrapFresh(row);
    if (state !== 'erased') {
      // Full: start again. Evicting one entry at a time made V8 walk the deleted ones at every
      // eviction (seconds a minute under load); the keys of active conversations come back at once.
      if (this.unwrapped.size >= UNWRAPPED_MAX) this.unwrapped.clear();
      this.unwrapped.set(row.stream_id, { wrapped: row.wrapped!, key: state, until: Date.now() + UNWRAPPED_TTL_MS });
    }
    return state;
  }

  private unwrapFresh(row: KeyRow): DataKey | 'erased' {
    if (row.wrapped === null || row.kek_id === null) return 'erased';
    const kek = this.byId.get(row.kek_id);
    if (!kek) {
      throw new KekError(
        `the data key of ${row.stream_id} was wrapped by key-encryption key ${row.kek_id}, which is neither DATA_KEK nor in DATA_KEK_PREVIOUS`,
      );
    }
    const key = open(kek.key, row.wrapped, wrapContext(row.stream_id));
    return { streamId: row.stream_id, keyId: row.key_id, key, digestKey: createHmac('sha256', key).update('digests').digest() };
  }
}
