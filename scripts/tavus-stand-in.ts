// The test suite's Tavus stand-in, on a fixed port, for trying the service without a Tavus account:
//   npm run tavus:stand-in   then   TAVUS_API_URL=http://127.0.0.1:4100 TAVUS_API_KEY=local npm start
import { startTavusStandIn } from '../test/support/tavusStandIn.js';

const port = Number(process.env.STAND_IN_PORT ?? 4100);
const standIn = await startTavusStandIn('local', port);
console.log(`Tavus stand-in on ${standIn.url} (x-api-key: local); Ctrl-C to stop`);
