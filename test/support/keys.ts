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
