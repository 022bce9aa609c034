// The test suite's S3 stand-in (s3rver behind two endpoints: the bucket Tavus writes to and the app's
// storage), for trying recordings without a bucket: it prints the configuration to start the service
// with. Objects live in a temporary directory and go when it stops.
//   npm run s3:stand-in
import { startS3StandIn } from '../test/support/s3StandIn/server.js';

const standIn = await startS3StandIn();
console.log('S3 stand-in running; start the service with:\n');
console.log(
  Object.entries(standIn.env())
    .map(([k, v]) => `${k}=${v}`)
    .join(' \\\n'),
);
console.log(`\nPut a "recording" where Tavus would (bucket tavus-recordings), then post its recording_ready. Ctrl-C to stop.`);
process.on('SIGINT', () => void standIn.close().then(() => process.exit(0)));
