import { randomBytes } from 'node:crypto';

/**
 * A time-ordered UUID (version 7, RFC 9562): milliseconds since the epoch, then randomness. Rows keyed
 * by these land at the right-hand end of their indexes, where random v4 ids would touch (and after
 * each checkpoint write whole to the WAL) a different index page for every insert.
 */
export function uuid7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
