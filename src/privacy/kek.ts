import { createHash } from 'node:crypto';

/** A key-encryption key: what wraps every data key. Its id is a digest, safe to store and to log. */
export interface Kek {
  id: string;
  key: Buffer;
}

export class KekError extends Error {
  override name = 'KekError';
}

/** DATA_KEK's value: base64 (or base64url) of exactly 32 random bytes. */
export function parseKek(text: string, name = 'DATA_KEK'): Kek {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new KekError(`${name} must be base64 of 32 bytes (openssl rand -base64 32)`);
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new KekError(`${name} must be base64 of 32 bytes (openssl rand -base64 32); it decodes to ${key.length}`);
  return { id: createHash('sha256').update('tavus-feedback kek').update(key).digest('hex').slice(0, 16), key };
}
