import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/problems.js';
import { recordingAnswer } from '../../src/http/routes/recording.js';
import type { RecordingLinks } from '../../src/storage/links.js';

// GET .../recording's answer when what it depends on fails: a link that cannot be signed is a 503
// to retry (never a 500), and a service that keeps no recordings answers 404 without asking anything.

const stored = {
  source: 's3://tavus-recordings/k',
  status: 'stored',
  stored_bucket: 'app-recordings',
  stored_key: 'recordings/x.mp4',
  bytes: '10',
  sha256: 'a'.repeat(64),
  content_type: 'video/mp4',
  duration_seconds: null,
  error: null,
  updated_at: new Date(),
};
const pool = { query: () => Promise.resolve({ rows: [stored] }) } as unknown as pg.Pool;
const unsignable: RecordingLinks = {
  link: () => Promise.reject(new Error('Could not load credentials from any providers')),
  origin: () => Promise.resolve(''),
};

describe('the recording answer', () => {
  it('is a 503 with Retry-After when the link cannot be signed', async () => {
    const refusal = await recordingAnswer(pool, unsignable, 'c').catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 503, retryAfterSeconds: 5, message: expect.stringContaining('Could not load credentials') });
  });

  it('is a 404 on a service that keeps no recordings', async () => {
    const asked: unknown[] = [];
    const counting = { query: (...args: unknown[]) => (asked.push(args), Promise.resolve({ rows: [] })) } as unknown as pg.Pool;
    await expect(recordingAnswer(counting, undefined, 'c')).rejects.toMatchObject({ status: 404, message: expect.stringContaining('keeps no recordings') });
    expect(asked).toEqual([]);
  });
});
