import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { resolveDataKeks } from '../../src/main.js';
import { UnopenableError } from '../../src/privacy/cipher.js';
import { parseKek } from '../../src/privacy/kek.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { rotateDataKeys } from '../../src/privacy/rotate.js';
import { keyedIdempotencyKey, openEventData, sealEvent } from '../../src/privacy/sealing.js';
import { idempotencyKey } from '../../src/events/streams.js';
import type { NewEvent } from '../../src/events/types.js';
import { useTestDatabase } from '../support/db.js';

// Data keys: made once a stream, wrapped by the KEK, re-wrapped by a rotation without touching what
// they sealed; sealed values bound to their stream and type; idempotency keys keyed per conversation.

const db = useTestDatabase();
const kekA = parseKek('YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=');
const kekB = parseKek('YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI=');

function transcript(streamId: string, words: string): NewEvent {
  const data = { turns: [{ role: 'user', content: words }], systemPromptRemoved: false };
  return {
    type: 'TranscriptReceived',
    data,
    streamId,
    idempotencyKey: idempotencyKey(streamId, 'TranscriptReceived', data),
    metadata: { receivedAt: '2025-01-01T00:00:00Z', source: 'api' },
  };
}

describe('data keys', () => {
  it('are made once per stream however many ask at once, and stay the same', async () => {
    const ring = new Keyring([kekA]);
    const stream = `conversation-${randomUUID()}`;
    const made = await Promise.all(Array.from({ length: 8 }, () => ring.forWriting(db.pool, [stream])));
    const ids = new Set(made.map((m) => (m.get(stream) as { keyId: string }).keyId));
    expect(ids.size).toBe(1);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM data_keys WHERE stream_id = $1', [stream]);
    expect(rows[0].n).toBe(1);
  });

  it('rotate under a new KEK without touching events, after which the old KEK is not needed', async () => {
    const streams = Array.from({ length: 1_100 }, () => `conversation-${randomUUID()}`);
    const old = new Keyring([kekA]);
    const keys = await old.forWriting(db.pool, streams);
    const sealed = streams.map((s) => sealEvent(transcript(s, `words of ${s}`), keys.get(s) as never));

    const during = new Keyring([kekB, kekA]);
    expect(await rotateDataKeys(db.pool, during)).toBeGreaterThanOrEqual(streams.length);
    expect(await rotateDataKeys(db.pool, during)).toBe(0);

    const after = new Keyring([kekB]);
    const reopened = await after.forReading(db.pool, streams);
    streams.forEach((s, i) => {
      expect(openEventData(s, 'TranscriptReceived', sealed[i]!.data, reopened.get(s))).toMatchObject({
        erased: false,
        data: { turns: [{ content: `words of ${s}` }] },
      });
    });
    // Without the new KEK the keys do not unwrap: the old one alone is refused by name.
    await expect(old.forReading(db.pool, streams.slice(0, 1))).rejects.toThrow(/DATA_KEK_PREVIOUS/);
  });

  it('are remembered unwrapped only while their row is unchanged: one erased elsewhere is erased here at the next read', async () => {
    const ring = new Keyring([kekA, kekB]);
    const [kept, erased] = [`conversation-${randomUUID()}`, `conversation-${randomUUID()}`];
    const made = await ring.forWriting(db.pool, [kept, erased]);
    // Read once more, so both are remembered from a read and not only from their making.
    await ring.forReading(db.pool, [kept, erased]);
    // Another instance erases one (as erase.ts does) and rotates the other's wrapping.
    await db.pool.query('UPDATE data_keys SET wrapped = NULL, kek_id = NULL, erased_at = now() WHERE stream_id = $1', [erased]);
    expect(await rotateDataKeys(db.pool, new Keyring([kekB, kekA]))).toBeGreaterThanOrEqual(1);
    const now = await ring.forReading(db.pool, [kept, erased]);
    expect(now.get(erased)).toBe('erased');
    expect(await ring.forWriting(db.pool, [erased])).toEqual(new Map([[erased, 'erased']]));
    // The re-wrapped one is unwrapped again under its new KEK, and is still the same key.
    expect((now.get(kept) as { key: Buffer }).key.equals((made.get(kept) as { key: Buffer }).key)).toBe(true);
  });
});

describe('sealed values', () => {
  it('never share a nonce, however many are sealed in a row', async () => {
    const ring = new Keyring([kekA]);
    const stream = `conversation-${randomUUID()}`;
    const key = (await ring.forWriting(db.pool, [stream])).get(stream) as never;
    // More than one block of prepared nonces (256 a block).
    const nonces = Array.from({ length: 1_000 }, (_, i) => {
      const { sealed } = sealEvent(transcript(stream, `words ${i}`), key).data as { sealed: { box: string } };
      return Buffer.from(sealed.box, 'base64').subarray(0, 12).toString('hex');
    });
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('open only in their own stream and type, and are refused when altered', async () => {
    const ring = new Keyring([kekA]);
    const [a, b] = [`conversation-${randomUUID()}`, `conversation-${randomUUID()}`];
    const keys = await ring.forWriting(db.pool, [a, b]);
    const sealed = sealEvent(transcript(a, 'private words'), keys.get(a) as never);
    expect(JSON.stringify(sealed.data)).not.toContain('private words');
    expect(() => openEventData(a, 'PerceptionAnalysisReceived', sealed.data, keys.get(a))).toThrow(UnopenableError);
    const moved = { ...(sealed.data as object) };
    // Another conversation's key does not open it (its key id differs: marked erased, never misread).
    expect(openEventData(b, 'TranscriptReceived', moved, keys.get(b))).toMatchObject({ erased: true });
    const box = (sealed.data as { sealed: { box: string } }).sealed.box;
    const altered = {
      ...(sealed.data as object),
      sealed: { ...(sealed.data as { sealed: object }).sealed, box: box.slice(0, -4) + (box.endsWith('AAAA') ? 'BBBB' : 'AAAA') },
    };
    expect(() => openEventData(a, 'TranscriptReceived', altered, keys.get(a))).toThrow(UnopenableError);
  });

  it('have idempotency keys keyed per conversation: the same words give the same key there, another elsewhere', async () => {
    const ring = new Keyring([kekA]);
    const [a, b] = [`conversation-${randomUUID()}`, `conversation-${randomUUID()}`];
    const keys = await ring.forWriting(db.pool, [a, b]);
    const plain = transcript(a, 'same words').idempotencyKey;
    const keyA = keyedIdempotencyKey(keys.get(a) as never, plain);
    expect(keyedIdempotencyKey(keys.get(a) as never, plain)).toBe(keyA);
    expect(keyA).not.toBe(plain);
    expect(keyA.split('/').at(-1)).not.toBe(
      keyedIdempotencyKey(keys.get(b) as never, plain)
        .split('/')
        .at(-1),
    );
  });
});

describe('the key-encryption key', () => {
  it('must be base64 of 32 bytes', () => {
    expect(() => loadConfig({ DATA_KEK: 'c2hvcnQ=' })).toThrow(/DATA_KEK must be base64 of 32 bytes/);
    expect(() => loadConfig({ DATA_KEK_PREVIOUS: 'YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=' })).toThrow(/set only beside DATA_KEK/);
  });

  it('is required with a database of its own, and generated once beside the embedded one', async () => {
    await expect(resolveDataKeks(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/y' }))).rejects.toThrow(/DATA_KEK: required with DATABASE_URL/);
    const dir = `/tmp/tf-kek-${randomUUID()}`;
    const first = await resolveDataKeks(loadConfig({ DATA_DIR: dir }));
    const again = await resolveDataKeks(loadConfig({ DATA_DIR: dir }));
    expect(again[0]!.id).toBe(first[0]!.id);
  });
});
