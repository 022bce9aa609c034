// One recording copied as the reactor copies it (copyObject: streamed multipart, read back and
// checked), in a process of its own so its resident memory is the copy's alone; prints one JSON line.
// Run by bench/recordings.ts with the stores in BENCH_S3_* (the S3 stand-in in the parent process).
import { copyObject } from '../../src/reactors/recordings/copyObject.js';
import { s3Client } from '../../src/storage/s3.js';

const env = (name: string) => process.env[name] ?? '';
const access = (endpoint: string, bucket: string) => ({
  endpoint,
  region: 'us-east-1',
  bucket,
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const tavus = s3Client(access(env('BENCH_S3_TAVUS'), env('BENCH_S3_TAVUS_BUCKET')));
const storage = s3Client(access(env('BENCH_S3_STORAGE'), env('BENCH_S3_APP_BUCKET')));

const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const started = performance.now();
const copied = await copyObject(
  { client: tavus, bucket: env('BENCH_S3_TAVUS_BUCKET'), key: env('BENCH_S3_KEY') },
  { client: storage, bucket: env('BENCH_S3_APP_BUCKET'), keyFor: () => 'bench/copy.mp4' },
  { signal: new AbortController().signal, contentType: () => 'video/mp4' },
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
tavus.destroy();
storage.destroy();
console.log(JSON.stringify({ bytes: copied.bytes, sha256: copied.sha256, seconds, rssBefore: before, rssPeak: peak }));
