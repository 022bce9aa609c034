import type pg from 'pg';
import type { Keyring } from './keyring.js';

// `tavus-feedback keys rotate`: every data key wrapped by an older key-encryption key (one in
// DATA_KEK_PREVIOUS) is wrapped again by DATA_KEK. Events are not touched: they are sealed under the
// data keys, which stay the same. Runs beside the service, which opens both kinds meanwhile; once it
// is done, the old KEK can be dropped from DATA_KEK_PREVIOUS (and destroyed).

const PAGE = 1_000;

const OLD = `
SELECT stream_id, key_id, kek_id, wrapped FROM data_keys
 WHERE wrapped IS NOT NULL AND kek_id <> $1
 ORDER BY stream_id LIMIT $2`;

// Only if nobody changed it meanwhile (erased, or re-wrapped by a rotation running beside this one).
const REWRAP = `
UPDATE data_keys d SET wrapped = r.wrapped, kek_id = $1
  FROM unnest($2::text[], $3::text[], $4::bytea[]) AS r(stream_id, old_kek, wrapped)
 WHERE d.stream_id = r.stream_id AND d.kek_id = r.old_kek AND d.wrapped IS NOT NULL`;

export async function rotateDataKeys(pool: pg.Pool, keyring: Keyring, onProgress?: (rewrapped: number) => void): Promise<number> {
  const current = keyring.currentKek;
  let rewrapped = 0;
  for (;;) {
    const { rows } = await pool.query<{ stream_id: string; key_id: string; kek_id: string; wrapped: Buffer }>(OLD, [current.id, PAGE]);
    if (rows.length === 0) return rewrapped;
    const wrapped = rows.map((row) => {
      const key = keyring.unwrapRow(row);
      if (key === 'erased') throw new Error(`data key of ${row.stream_id} vanished mid-rotation`);
      return keyring.wrap(row.stream_id, key.key);
    });
    const result = await pool.query(REWRAP, [current.id, rows.map((r) => r.stream_id), rows.map((r) => r.kek_id), wrapped]);
    rewrapped += result.rowCount ?? 0;
    onProgress?.(rewrapped);
  }
}
