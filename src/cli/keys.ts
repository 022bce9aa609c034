import type pg from 'pg';
import type { Keyring } from '../privacy/keyring.js';
import { rotateDataKeys } from '../privacy/rotate.js';

/** `tavus-feedback keys rotate`. */
export async function rotateKeys(pool: pg.Pool, keyring: Keyring, print: (line: string) => void): Promise<void> {
  const rewrapped = await rotateDataKeys(pool, keyring);
  const { rows } = await pool.query<{ kek_id: string; keys: number }>(
    'SELECT kek_id, count(*)::int AS keys FROM data_keys WHERE wrapped IS NOT NULL GROUP BY kek_id ORDER BY kek_id',
  );
  print(`${rewrapped} data key${rewrapped === 1 ? '' : 's'} wrapped again by DATA_KEK (${keyring.currentKek.id})`);
  for (const r of rows) print(`  key-encryption key ${r.kek_id}: ${r.keys} data key${r.keys === 1 ? '' : 's'}`);
  if (rows.every((r) => r.kek_id === keyring.currentKek.id)) print('every data key is under DATA_KEK: DATA_KEK_PREVIOUS may now be removed');
}
