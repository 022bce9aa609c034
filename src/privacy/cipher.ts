import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

// AES-256-GCM, the one cipher here: a fresh 12-byte nonce every time, the 16-byte tag checked on
// opening. Associated data binds a sealed value to where it belongs (its stream, its event type),
// so a value copied into another conversation's event does not open there.

const NONCE = 12;
const TAG = 16;

// Nonces are cut from a block of random bytes filled once per 256 of them: one call into the
// random generator per seal cost more than the encryption of a transcript. Each is used once.
const NONCES_PER_FILL = 256;
let nonces = Buffer.alloc(0);
let nextNonce = 0;

function freshNonce(): Buffer {
  if (nextNonce === nonces.length) {
    nonces = randomBytes(NONCE * NONCES_PER_FILL);
    nextNonce = 0;
  }
  nextNonce += NONCE;
  return nonces.subarray(nextNonce - NONCE, nextNonce);
}

/** nonce | tag | ciphertext. */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

export class UnopenableError extends Error {
  override name = 'UnopenableError';
}

export function open(key: Buffer, box: Buffer, associatedData: string): Buffer {
  if (box.length < NONCE + TAG) throw new UnopenableError('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, NONCE));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(box.subarray(NONCE, NONCE + TAG));
  try {
    return Buffer.concat([decipher.update(box.subarray(NONCE + TAG)), decipher.final()]);
  } catch {
    throw new UnopenableError('sealed value does not open with this key (wrong key, or altered)');
  }
}

/** A keyed digest (HMAC-SHA-256), base64url: equal inputs match, and without the key nothing can be learnt or confirmed. */
export function keyedDigest(key: Buffer, text: string, length = 32): string {
  return createHmac('sha256', key).update(text).digest('base64url').slice(0, length);
}
