import type pg from 'pg';
import { readStreams } from '../../src/events/readStreams.js';
import type { EventType } from '../../src/events/types.js';
import { parseKek } from '../../src/privacy/kek.js';
import { Keyring } from '../../src/privacy/keyring.js';

/**
 * The key-encryption key every test service and CLI run uses (vitest.config.ts puts it in DATA_KEK).
 * A test key, for test databases only.
 */
export const TEST_DATA_KEK = 'dGF2dXMtZmVlZGJhY2sgdGVzdHMnIGRhdGEga2V5ISE=';

export function testKeyring(): Keyring {
  return new Keyring([parseKek(TEST_DATA_KEK)]);
}

/** The data of a stream's events of one type, opened (the history holds personal fields sealed). */
export async function openedData(db: pg.Pool, streamId: string, type: EventType): Promise<Record<string, unknown>[]> {
  const events = (await readStreams(db, testKeyring(), [streamId])).get(streamId) ?? [];
  return events.filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
}
