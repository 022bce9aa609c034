import type { EventData, RecordedEvent } from '../../events/types.js';

// What a conversation's events say of its recordings, folded the same way whatever their order.
// An object is identified by its bucket and key, so both of Tavus's forms of one recording (bucket
// and key, or an s3:// storage URI), and repetitions, are one row; a copy Tavus reported failed
// names no object and is the row with source ''. Only S3 objects can be copied: a recording_url of
// another kind (the room link of the original single-body form) stays on the conversations row only.

export interface RecordingRow {
  conversation_id: string;
  source: string;
  stream_id: string;
  source_bucket: string | null;
  source_key: string | null;
  position: string;
  status: 'copying' | 'stored' | 'failed';
  duration_seconds: number | null;
  stored_bucket: string | null;
  stored_key: string | null;
  bytes: number | null;
  sha256: string | null;
  content_type: string | null;
  error: string | null;
  updated_at: string;
}

export interface S3Object {
  bucket: string;
  key: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;
export const COPY_FAILED = 'application.recording_copy_failed';

/** The S3 object a RecordingReady names, or null when it names none we can copy. */
export function sourceOf(ready: EventData<'RecordingReady'>): S3Object | null {
  if (ready.bucketName && ready.key) return { bucket: ready.bucketName, key: ready.key };
  const match = S3_URI.exec(ready.url ?? '');
  return match ? { bucket: match[1]!, key: match[2]! } : null;
}

/** Tavus's own words for a failed copy, or ours when it gave none. */
function failureOf(properties: unknown): string {
  const p = (typeof properties === 'object' && properties !== null ? properties : {}) as Record<string, unknown>;
  for (const said of [p.error_message, p.reason]) if (typeof said === 'string' && said.trim() !== '') return said.trim().slice(0, 2_000);
  return 'Tavus reported that the recording could not be copied';
}

const earlier = (a: string, b: string) => (BigInt(a) < BigInt(b) ? a : b);
const later = (a: string, b: string) => (a > b ? a : b);

/** `events`: the conversation's trusted events, in any order; rows come out sorted by source. */
export function foldRecordings(events: RecordedEvent[], conversationId: string, streamId: string): RecordingRow[] {
  const rows = new Map<string, RecordingRow>();
  const stored = new Map<string, { data: EventData<'RecordingStored'>; recordedAt: string }>();
  const row = (source: string, object: S3Object | null, e: RecordedEvent, status: RecordingRow['status']): RecordingRow => {
    const known = rows.get(source);
    const recordedAt = e.recordedAt.toISOString();
    if (known) {
      known.position = earlier(known.position, e.position);
      known.updated_at = later(known.updated_at, recordedAt);
      return known;
    }
    const fresh: RecordingRow = {
      conversation_id: conversationId,
      source,
      stream_id: streamId,
      source_bucket: object?.bucket ?? null,
      source_key: object?.key ?? null,
      position: e.position,
      status,
      duration_seconds: null,
      stored_bucket: null,
      stored_key: null,
      bytes: null,
      sha256: null,
      content_type: null,
      error: null,
      updated_at: recordedAt,
    };
    rows.set(source, fresh);
    return fresh;
  };

  for (const e of events) {
    if (e.type === 'RecordingReady') {
      const object = sourceOf(e.data);
      if (!object) continue;
      const r = row(`s3://${object.bucket}/${object.key}`, object, e, 'copying');
      const duration = e.data.durationSeconds;
      if (duration !== null && Number.isFinite(duration) && duration >= 0 && (r.duration_seconds === null || duration > r.duration_seconds))
        r.duration_seconds = duration;
    } else if (e.type === 'RecordingStored') {
      stored.set(`s3://${e.data.source.bucket}/${e.data.source.key}`, { data: e.data, recordedAt: e.recordedAt.toISOString() });
    } else if (e.type === 'CallbackIgnored' && e.data.eventType === COPY_FAILED) {
      const r = row('', null, e, 'failed');
      // Reported twice with different words: the smallest, so the choice ignores order.
      const error = failureOf(e.data.properties);
      if (r.error === null || error < r.error) r.error = error;
    }
  }

  for (const [source, { data: s, recordedAt }] of stored) {
    // A copy of an object no trusted RecordingReady names is nothing this conversation recorded.
    const r = rows.get(source);
    if (!r) continue;
    Object.assign(r, { status: 'stored', stored_bucket: s.bucket, stored_key: s.key, bytes: s.bytes, sha256: s.sha256, content_type: s.contentType });
    r.duration_seconds ??= s.durationSeconds;
    r.updated_at = later(r.updated_at, recordedAt);
  }
  return [...rows.values()].sort((a, b) => (a.source < b.source ? -1 : Number(a.source > b.source)));
}

/** Where the conversation's recording is: the first one kept in the app's storage, as s3://bucket/key. */
export function storedLocation(rows: RecordingRow[]): string | null {
  const kept = rows.find((r) => r.status === 'stored');
  return kept ? `s3://${kept.stored_bucket}/${kept.stored_key}` : null;
}
