// The test suite's KurrentDB stand-in (not KurrentDB: streams in memory, only what the relay uses),
// on a fixed port, for trying the relay without a KurrentDB server:
//   npm run kurrentdb:stand-in   then   KURRENTDB_URL='kurrentdb://127.0.0.1:2113?tls=false' npm start
import { startKurrentDbStandIn } from '../test/support/kurrentDbStandIn/server.js';

const port = Number(process.env.STAND_IN_PORT ?? 2113);
const standIn = await startKurrentDbStandIn({ port });
console.log(`KurrentDB stand-in on ${standIn.url}; Ctrl-C to stop`);
setInterval(() => {
  let events = 0;
  for (const stream of standIn.streams.values()) events += stream.length;
  console.log(`${standIn.streams.size} streams, ${events} events`);
}, 10_000).unref();
process.on('SIGINT', () => void standIn.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void standIn.close().then(() => process.exit(0)));
