import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { APP_BUCKET, startS3StandIn, TAVUS_BUCKET } from '../test/support/s3StandIn/server.js';
import { ROOT } from './support/processes.js';

// A recording copied into the app's storage: a 256 MB object in the S3 stand-in's Tavus bucket,
// copied (streamed multipart, then read back and checked) by a process of its own, whose resident
// memory is sampled throughout. The stand-in runs in this process and shares the two cores, and it
// writes every part to disk and then again whole, so the rate is the stand-in's as much as the copy's.

export interface RecordingsBenchResult {
  megabytes: number;
  seconds: number;
  /** The object's size over the time to copy it and read it back. */
  megabytesPerSecond: number;
  rssBeforeMb: number;
  rssPeakMb: number;
}

const MiB = 1024 * 1024;

export async function runRecordingsBench(options: { megabytes?: number } = {}): Promise<RecordingsBenchResult> {
  const size = (options.megabytes ?? 256) * MiB;
  const s3 = await startS3StandIn();
  try {
    const hash = createHash('sha256');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= size) return void this.push(null);
        const chunk = randomBytes(Math.min(MiB, size - sent));
        sent += chunk.length;
        hash.update(chunk);
        this.push(chunk);
      },
    });
    await s3.put(TAVUS_BUCKET, 'bench/recording', body, { contentLength: size });
    const sha256 = hash.digest('hex');
    const env = s3.env();
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/copyRecording.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          BENCH_S3_TAVUS: env.TAVUS_RECORDING_S3_ENDPOINT,
          BENCH_S3_STORAGE: env.RECORDINGS_S3_ENDPOINT,
          BENCH_S3_TAVUS_BUCKET: TAVUS_BUCKET,
          BENCH_S3_APP_BUCKET: APP_BUCKET,
          BENCH_S3_KEY: 'bench/recording',
          NODE_NO_WARNINGS: '1',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the copy exited with ${code}`))));
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { bytes: number; sha256: string; seconds: number; rssBefore: number; rssPeak: number };
    if (r.bytes !== size || r.sha256 !== sha256) throw new Error('the copy is not the recording');
    return {
      megabytes: size / MiB,
      seconds: r.seconds,
      megabytesPerSecond: size / MiB / r.seconds,
      rssBeforeMb: Math.round(r.rssBefore / MiB),
      rssPeakMb: Math.round(r.rssPeak / MiB),
    };
  } finally {
    await s3.close();
  }
}
