// A process that takes a lease and holds it until it is killed: `tsx leaseHolder.ts <database url> <lease> <ttl ms>`.
// Prints its owner name once it holds the lease.
import pg from 'pg';
import { instanceName, Lease } from '../../src/reactors/lease.js';

const [databaseUrl, name, ttl] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const owner = instanceName();
const lease = new Lease(pool, { name: name!, owner, ttlMs: Number(ttl) }, { start: async () => {}, stop: async () => {} });
await lease.start();
await lease.whenHeld();
process.stdout.write(`${owner}\n`);
setInterval(() => {}, 1_000);
