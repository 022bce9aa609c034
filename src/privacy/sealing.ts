import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import type pg from 'pg';
import type { AppendableEvent, NewEvent } from '../events/types.js';
import { jsonOf } from '../events/json.js';
import { hasUnreadableText, UnreadableTextError } from '../events/unreadableJson.js';
import { keyedDigest, open, seal } from './cipher.js';
import type { DataKey, Keyring, KeyState } from './keyring.js';
import { PERSONAL_FIELDS } from './personalFields.js';

// How personal data is kept in the history: an event's personal fields (personalFields.ts) leave its
// data and come back as one sealed value, `sealed: { kid, z?, box }`, the rest of the data staying
// as it was. Compressed first (ciphertext does not compress, and the events table relies on
// compression), then AES-256-GCM under the conversation's key, bound to its stream and type.
//
// Opening answers the data as it was appended. Without the key (erased) it answers the clear part
// and `erased: true`; readers that fold a stream leave such events out, the audit shows them.

/** The envelope, as it appears in an event's data and in a sealed callback body. */
export interface Sealed {
  kid: string;
  /** Set when the plaintext was deflated before sealing. */
  z?: 1;
  box: string;
}

/** Below this, deflate only adds bytes. */
const COMPRESS_FROM = 128;

function sealText(key: DataKey, text: string, associatedData: string): Sealed {
  const raw = Buffer.from(text);
  const compress = raw.length >= COMPRESS_FROM;
  // Level 1: most of the saving at a fraction of the default level's time, on the HTTP thread.
  const plaintext = compress ? deflateRawSync(raw, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY }) : raw;
  return { kid: key.keyId, ...(compress ? { z: 1 as const } : {}), box: seal(key.key, plaintext, associatedData).toString('base64') };
}

function openText(key: DataKey, sealed: Sealed, associatedData: string): string {
  const plaintext = open(key.key, Buffer.from(sealed.box, 'base64'), associatedData);
  return (sealed.z ? inflateRawSync(plaintext) : plaintext).toString();
}

const eventContext = (streamId: string, type: string) => `event ${streamId} ${type}`;
const bodyContext = (streamId: string) => `callback ${streamId}`;

/** The idempotency key as stored: its content digest keyed by the conversation's key (streams.ts makes the plain one). */
export function keyedIdempotencyKey(key: DataKey, plainKey: string): string {
  const cut = plainKey.lastIndexOf('/');
  return `${plainKey.slice(0, cut)}/k${keyedDigest(key.digestKey, plainKey.slice(cut + 1))}`;
}

/** A digest of a body that confirms nothing to whoever lacks the key: what is stored for audit instead of its SHA-256. */
export function keyedBodyDigest(key: DataKey, body: string): string {
  return `hmac-sha256:${keyedDigest(key.digestKey, body, 43)}`;
}

/** The event as it is appended: personal fields sealed, content digests keyed. */
export function sealEvent(event: NewEvent, key: DataKey): AppendableEvent {
  const fields = PERSONAL_FIELDS[event.type];
  const idempotencyKey = keyedIdempotencyKey(key, event.idempotencyKey);
  const data = event.data as Record<string, unknown>;
  // Nothing personal in it (a conversation started without a name): the event goes as it is, and
  // opening it later costs nothing.
  if (fields.every((name) => data[name] === null || data[name] === undefined)) return { ...event, idempotencyKey };
  const clear: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data)) (fields.includes(name) ? personal : clear)[name] = value;
  const json = jsonOf(personal);
  // Checked before sealing hides it (the clear part is checked by the append): opened, such text
  // could not go into the read models.
  if (hasUnreadableText(json))
    throw new UnreadableTextError(`${event.type} holds a NUL character or an unpaired UTF-16 surrogate, which Postgres cannot read back`);
  clear.sealed = sealText(key, json, eventContext(event.streamId, event.type));
  return { ...event, data: clear, idempotencyKey };
}

export function sealBody(key: DataKey, streamId: string, body: string): string {
  return JSON.stringify({ sealed: sealText(key, body, bodyContext(streamId)) });
}

const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && typeof (value as Sealed).kid === 'string' && typeof (value as Sealed).box === 'string';

/** An event's data as appended, or (its key destroyed, or redacted in place) its clear part marked erased. */
export function openEventData(streamId: string, type: string, data: unknown, key: KeyState): { data: unknown; erased: boolean } {
  if (typeof data !== 'object' || data === null) return { data, erased: false };
  const { sealed, ...clear } = data as Record<string, unknown>;
  if (sealed === undefined) return { data, erased: (data as { erased?: unknown }).erased === true };
  if (!isSealed(sealed) || key === undefined || key === 'erased' || key.keyId !== sealed.kid) return { data: { ...clear, erased: true }, erased: true };
  return { data: { ...clear, ...(JSON.parse(openText(key, sealed, eventContext(streamId, type))) as object) }, erased: false };
}

/** A callback body as received; null once erased. Bodies stored before sealing come back as they are. */
export function openBody(streamId: string, body: string, key: KeyState): string | null {
  if (!body.startsWith('{"sealed":')) return body === ERASED_BODY ? null : body;
  const { sealed } = JSON.parse(body) as { sealed: unknown };
  if (!isSealed(sealed) || key === undefined || key === 'erased' || key.keyId !== sealed.kid) return null;
  return openText(key, sealed, bodyContext(streamId));
}

/** What an erased conversation's legacy (unsealed) callback bodies are overwritten with. */
export const ERASED_BODY = '{"erased":true}';

/**
 * The idempotency keys these plain ones are stored under, as the door keys them: looked up by
 * readers that check whether a fact is in the history already. Null: the conversation is erased.
 */
export async function storedIdempotencyKeys(
  db: pg.Pool | pg.PoolClient,
  keyring: Keyring,
  facts: readonly { streamId: string; plainKey: string }[],
): Promise<(string | null)[]> {
  const keys = await keyring.forReading(db, [...new Set(facts.map((f) => f.streamId))]);
  return facts.map((f) => {
    const key = keys.get(f.streamId);
    if (key === 'erased') return null;
    return key ? keyedIdempotencyKey(key, f.plainKey) : f.plainKey;
  });
}
