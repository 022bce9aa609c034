import type pg from 'pg';
import { conversationStream } from '../events/streams.js';
import { findConversation } from '../projections/readModels/conversationQueries.js';
import { findRecordings, type RecordingRecord } from '../projections/readModels/recordingQueries.js';
import { readLeaseHolder, type LeaseHolder } from '../reactors/leaseRows.js';
import { countRecordings } from '../reactors/recordings/counts.js';
import { listParkedCopies, requestCopyRetry, type ParkedCopy } from '../reactors/recordings/parking.js';
import { RECORDINGS_LEASE } from '../reactors/recordings/startRecordingsReactor.js';
import { UsageError } from './usage.js';

// `tavus-feedback recordings status [conversation]` and `recordings retry <conversation>|--all`:
// where the copies into the app's storage stand, which keep failing and why, and asking the running
// service to try those again. Recording keys and links are not printed: the conversation's
// recording_url, and GET .../recording, say where one is.

type Print = (line: string) => void;

/** A conversation by our id, Tavus's id, or its stream id (as `deadletters` prints it): its stream. */
async function streamOf(pool: pg.Pool, ref: string): Promise<{ streamId: string; id: string | null }> {
  const tavusId = ref.startsWith('conversation-') ? ref.slice('conversation-'.length) : ref;
  const conversation = await findConversation(pool, tavusId, null);
  if (conversation) return { streamId: conversationStream(conversation.conversation_id), id: conversation.id };
  if (ref.startsWith('conversation-')) return { streamId: ref, id: null };
  throw new UsageError(`no conversation ${ref} (give our id, Tavus's conversation id, or conversation-<tavus id>)`);
}

function parkedLine(p: ParkedCopy): string {
  let again = 'tried again only when asked';
  if (p.retryAt) again = `tried again by itself at ${p.retryAt.toISOString()}`;
  if (p.retryRequested) again = 'retry requested';
  const attempts = `${p.attempts} attempt${p.attempts === 1 ? '' : 's'}`;
  return `${p.streamId}  parked since ${p.parkedAt.toISOString()}, ${attempts}, ${again}\n  ${p.error}`;
}

function holderText(holder: LeaseHolder | undefined): string {
  if (!holder) return 'no instance (recordings not set up, or no service running)';
  if (holder.expired) return `no instance: ${holder.owner} held it until ${holder.expiresAt.toISOString()}`;
  return `${holder.owner} (since ${holder.acquiredAt.toISOString()})`;
}

function recordingText(r: RecordingRecord): string {
  const duration = r.durationSeconds === null ? '' : `, ${r.durationSeconds} s`;
  if (r.status === 'stored') return `stored in ${r.storedBucket}: ${r.bytes} bytes, sha256 ${r.sha256}, ${r.contentType}${duration}`;
  if (r.status === 'failed') return `failed (Tavus): ${r.error}`;
  return `copying${duration}`;
}

export async function recordingsStatus(pool: pg.Pool, ref: string | undefined, print: Print): Promise<void> {
  if (ref !== undefined) return conversationStatus(pool, ref, print);
  const counts = await countRecordings(pool);
  const holder = await readLeaseHolder(pool, RECORDINGS_LEASE);
  print(`recordings   ${counts.stored} stored, ${counts.copying} copying, ${counts.failed} failed (reported by Tavus), ${counts.parked} parked`);
  print(`copying in   ${holderText(holder)}`);
  for (const p of await listParkedCopies(pool)) print(parkedLine(p));
}

async function conversationStatus(pool: pg.Pool, ref: string, print: Print): Promise<void> {
  const { streamId, id } = await streamOf(pool, ref);
  const recordings = id ? await findRecordings(pool, id) : [];
  if (recordings.length === 0) print(`${streamId}: no recording known`);
  for (const r of recordings) print(`${streamId}  ${recordingText(r)}`);
  for (const p of await listParkedCopies(pool, streamId)) print(parkedLine(p));
}

/**
 * Asks the running service to copy parked recordings again (one conversation's, or all), then
 * waits up to `waitMs` to say how each went. Answers false when one failed again or was not tried.
 */
export async function recordingsRetry(pool: pg.Pool, ref: string | null, print: Print, waitMs = 60_000): Promise<boolean> {
  const streamId = ref === null ? null : (await streamOf(pool, ref)).streamId;
  const before = await listParkedCopies(pool, streamId);
  if (before.length === 0)
    throw new UsageError(streamId ? `${streamId} has no parked copy (recordings status ${ref} shows where it stands)` : 'no parked copies');
  await requestCopyRetry(pool, streamId);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = await listParkedCopies(pool, streamId);
    const pending = before.filter((b) => now.some((n) => n.streamId === b.streamId && n.retryRequested));
    if (pending.length === 0 || Date.now() > deadline) {
      let ok = true;
      for (const b of before) {
        const still = now.find((n) => n.streamId === b.streamId);
        if (!still) {
          print(`${b.streamId}: copied`);
          continue;
        }
        ok = false;
        const how = still.retryRequested ? 'not tried yet (is the service running, with recordings set up?)' : `failed again: ${still.error}`;
        print(`${b.streamId}: ${how}`);
      }
      return ok;
    }
    // Another process does the work: its outcome is read here, as `deadletters retry` reads it.
    await new Promise((r) => setTimeout(r, 200));
  }
}
