import type pg from 'pg';
import type { z } from 'zod';
import { findRecordings } from '../../projections/readModels/recordingQueries.js';
import type { RecordingLinks } from '../../storage/links.js';
import type { Recording } from '../openapi/answers.js';
import { HttpError } from '../problems.js';

// GET /conversations/:id/recording's answer, for a conversation the caller may read: its recording's
// status, and once it is kept, a short-lived link to it in the app's storage.

export async function recordingAnswer(pool: pg.Pool, links: RecordingLinks | undefined, conversationId: string): Promise<z.infer<typeof Recording>> {
  if (!links) throw new HttpError(404, 'this service keeps no recordings (RECORDINGS_S3_* and TAVUS_RECORDING_* are not set)');
  const [recording] = await findRecordings(pool, conversationId);
  if (!recording) throw new HttpError(404, 'no recording of this conversation is known');
  const duration = recording.durationSeconds === null ? {} : { durationSeconds: recording.durationSeconds };
  switch (recording.status) {
    case 'copying':
      return { status: 'copying', ...duration };
    case 'failed':
      return { status: 'failed', error: recording.error ?? 'Tavus reported that the recording could not be copied' };
    case 'stored': {
      const contentType = recording.contentType ?? 'video/mp4';
      const link = await links.link({ bucket: recording.storedBucket!, key: recording.storedKey!, contentType }).catch((err: unknown) => {
        // Signing needs only the storage's credentials; without them (a role's not yet fetched, say), ask again.
        throw new HttpError(503, `the link to the recording could not be signed: ${err instanceof Error ? err.message : String(err)}`, undefined, 5);
      });
      return {
        status: 'stored',
        url: link.url,
        expiresAt: link.expiresAt.toISOString(),
        bytes: recording.bytes!,
        sha256: recording.sha256!,
        contentType,
        ...duration,
      };
    }
  }
}
