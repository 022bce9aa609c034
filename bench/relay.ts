import { createPool } from '../src/db/pool.js';
import pino from 'pino';
import { kurrentStreams } from '../src/reactors/relay/kurrentStreams.js';
import { Relay } from '../src/reactors/relay/relay.js';
import { startKurrentDb } from '../test/support/kurrentDb.js';
import { createBenchDatabase } from './support/database.js';
import { generateSealedHistory } from './support/fixtures.js';
import { BENCH_DATA_KEK } from './support/processes.js';
import { parseKek } from '../src/privacy/kek.js';
import { Keyring } from '../src/privacy/keyring.js';

// The relay publishing a backlog: a history of ended conversations (start, end, 30-turn transcript,
// sealed as the service seals them)
// relayed from its start to KurrentDB (KURRENTDB_URL), or to the test suite's stand-in, which then
// runs in this process and shares its core with the relay.

export interface RelayBenchResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  target: string;
  database: string;
}

export async function runRelayBench(options: { conversations?: number } = {}): Promise<RelayBenchResult> {
  const conversations = options.conversations ?? 20_000;
  const database = await createBenchDatabase();
  // Connected as the service's relay is (src/reactors/relay/startRelay.ts).
  const pool = createPool(database.url, { max: 4, parallelQuery: false, jit: false });
  const kurrent = await startKurrentDb();
  const store = kurrentStreams(kurrent.url);
  try {
    await generateSealedHistory(pool, conversations, new Keyring([parseKek(BENCH_DATA_KEK)]));
    const relay = new Relay(pool, store, { logger: pino({ level: 'warn' }) });
    const from = performance.now();
    const events = await relay.drain();
    const seconds = (performance.now() - from) / 1000;
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      target: kurrent.kind === 'KurrentDB' ? 'KurrentDB at KURRENTDB_URL' : 'the KurrentDB stand-in, in the same process',
      database: database.describe,
    };
  } finally {
    await store.close();
    await kurrent.close();
    await pool.end();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runRelayBench(), null, 2));
}
