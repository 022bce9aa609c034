import { randomFillSync } from 'node:crypto';

// Random bytes drawn in blocks: one call to the CSPRNG per 400 ids instead of one per id, which was
// 3 µs an id under load.
const BLOCK = 4_000;
const random = Buffer.alloc(BLOCK);
let used = BLOCK;

/**
 * A time-ordered UUID (version 7, RFC 9562): milliseconds since the epoch, then randomness. Rows keyed
 * by these land at the right-hand end of their indexes, where random v4 ids would touch (and after
 * each checkpoint write whole to the WAL) a different index page for every insert.
 */
export function uuid7(now = Date.now()): string {
  if (used + 10 > BLOCK) {
    randomFillSync(random);
    used = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(now, 0, 6);
  random.copy(bytes, 6, used, used + 10);
  used += 10;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
