import { createHash } from 'node:crypto';
import { earliestInstant, fullestTranscript, isTrusted, statusOf } from '../../events/conversationFacts.js';
import { saneDuration } from '../../instants.js';
import { jsonOf } from '../../events/json.js';
import type { EventData, RecordedEvent, Turn } from '../../events/types.js';
import { foldRecordings, storedLocation, type RecordingRow } from './recordingFold.js';

// What a conversation's events say, folded the same way whatever order they came in: every choice
// (earliest end, fullest transcript, failure over success: src/events/conversationFacts.ts) is
// commutative, so any ordering and any repetition of callbacks ends in the same read models. Facts a
// foreign callback token brought are not the conversation's and are left out.

type Ended = EventData<'ConversationEnded'>;

export interface ConversationRow {
  id: string;
  conversation_id: string;
  user_id: string;
  scenario_id: string | null;
  started_at: string;
  ended_at: string | null;
  status: 'active' | 'completed' | 'failed';
  tavus_metadata: Record<string, unknown>;
  recording_url: string | null;
  /** Objectives the replica reached, each once (by name), with the variables it extracted. */
  objectives: { name: string; outputVariables: unknown; at: string | null }[];
  /** Guardrails that were triggered, in the order of their instants. */
  guardrails: { name: string; reason: unknown; at: string | null }[];
  created_at: string;
  updated_at: string;
}

export interface FeedbackInputRow {
  conversation_id: string;
  user_id: string;
  scenario_id: string | null;
  completed_at: string | null;
  duration: number | null;
  transcript_position: string;
  /** That transcript's talk, in the clear: what scoring reads (the event holds it sealed). */
  transcript: Turn[];
  /** The AnalysisRecorded data answering it, by idempotency key; null when none. */
  recordings: unknown[] | null;
  /** Whether that transcript may hold the person's words (a user row): without, no model is asked about it. */
  user_present: boolean;
  /** AnalysisRecorded events answering exactly that transcript, by idempotency key, and their analyzers. */
  recording_positions: string[];
  recorded_analyzers: string[];
  context: { name: string; description: string | null; rubric: unknown };
  input_hash: string;
  created_at: string;
  updated_at: string;
}

export interface ConversationView {
  conversation: ConversationRow;
  feedbackInput: FeedbackInputRow | null;
  recordings: RecordingRow[];
}

const byKey = <E extends { idempotencyKey: string }>(a: E, b: E) => (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0);
/** The largest duration the read models can hold; others (old events may have any) are left out. */
const maxDuration = (values: unknown[]) => {
  const present = values.map(saneDuration).filter((v): v is number => v !== null);
  return present.length ? Math.max(...present) : null;
};
const byInstantThenName = (a: { at: string | null; name: string }, b: { at: string | null; name: string }) =>
  (a.at ?? '') < (b.at ?? '') ? -1 : (a.at ?? '') > (b.at ?? '') ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The conversation its tombstone names, when the stream holds one: its rows go, and nothing of it is written again. */
export function erasedConversationOf(events: RecordedEvent[]): string | null {
  const tombstone = events.find((e) => e.type === 'ConversationErased');
  return tombstone?.type === 'ConversationErased' ? tombstone.data.conversationId : null;
}

/**
 * The person may have spoken: the transcript's JSON holds the string value "user" (a user turn's
 * role, or a row as received). A quote inside text is escaped (\"), so speech cannot fake it.
 */
const mentionsUser = (data: EventData<'TranscriptReceived'>) => jsonOf(data).includes('"user"');

/** Null until the conversation's start is known: callbacks may arrive before it. */
export function foldConversation(events: RecordedEvent[]): ConversationView | null {
  const sorted = [...events].sort(byKey);
  const startedEvent = sorted.find((e) => e.type === 'ConversationStarted');
  if (!startedEvent || startedEvent.type !== 'ConversationStarted') return null;
  const started = startedEvent.data;

  const ends: (Ended & { receivedAt: string })[] = [];
  const transcripts: { turnCount: number; mentionsUser: boolean; position: string; key: string; recordedAt: string; turns: Turn[] }[] = [];
  const analyses: { key: string; position: string; analyzer: string; transcriptKey: string; data: unknown }[] = [];
  const recordings: EventData<'RecordingReady'>[] = [];
  const recordingFacts: RecordedEvent[] = [];
  const objectives = new Map<string, ConversationRow['objectives'][number]>();
  const guardrails: ConversationRow['guardrails'] = [];
  const metadata: Record<string, unknown> = {};
  let updatedAt = started.startedAt;

  for (const e of sorted) {
    if (!isTrusted(e.metadata, started.id)) continue;
    const recordedAt = e.recordedAt.toISOString();
    if (recordedAt > updatedAt) updatedAt = recordedAt;
    if (e.metadata.callbackType && !(e.metadata.callbackType in metadata)) {
      // The transcript is kept once, in feedback_sessions; here a count says it came.
      metadata[e.metadata.callbackType] = e.type === 'TranscriptReceived' ? { turns: e.data.turns.length } : e.data;
    }
    switch (e.type) {
      case 'ConversationEnded':
        ends.push({ ...e.data, receivedAt: e.metadata.receivedAt });
        break;
      case 'TranscriptReceived':
        transcripts.push({
          turnCount: e.data.turns.length,
          mentionsUser: mentionsUser(e.data),
          position: e.position,
          key: e.idempotencyKey,
          recordedAt,
          turns: e.data.turns,
        });
        break;
      case 'AnalysisRecorded':
        analyses.push({ key: e.idempotencyKey, position: e.position, analyzer: e.data.analyzer, transcriptKey: e.data.transcriptKey, data: e.data });
        break;
      case 'RecordingReady':
        recordings.push(e.data);
        recordingFacts.push(e);
        break;
      case 'RecordingStored':
      case 'CallbackIgnored':
        recordingFacts.push(e);
        break;
      case 'ObjectiveCompleted': {
        // Reached twice (a repeat, or the evaluator again): the earliest counts.
        const at = earliestInstant([e.data.at]);
        const known = objectives.get(e.data.name);
        if (!known || (at !== null && (known.at === null || at < known.at)))
          objectives.set(e.data.name, { name: e.data.name, outputVariables: e.data.outputVariables, at });
        break;
      }
      case 'GuardrailTriggered':
        guardrails.push({ name: e.data.name, reason: e.data.reason, at: earliestInstant([e.data.at]) });
        break;
      default:
        break;
    }
  }

  const recordingRows = foldRecordings(recordingFacts, started.id, startedEvent.streamId);
  const endedAt = earliestInstant(ends.map((e) => e.at ?? e.receivedAt));
  const status = statusOf(ends);
  const conversation: ConversationRow = {
    id: started.id,
    conversation_id: started.tavusConversationId,
    user_id: started.userId,
    scenario_id: started.scenario.id,
    started_at: started.startedAt,
    ended_at: endedAt,
    status,
    tavus_metadata: metadata,
    // Once copied, where the app's storage keeps it; until then where Tavus said it is.
    recording_url: storedLocation(recordingRows) ?? recordings.find((r) => r.url !== null)?.url ?? null,
    objectives: [...objectives.values()].sort(byInstantThenName),
    guardrails: guardrails.sort(byInstantThenName),
    created_at: started.startedAt,
    updated_at: updatedAt,
  };

  // No transcript, no feedback.
  const transcript = fullestTranscript(transcripts);
  if (!transcript) return { conversation, feedbackInput: null, recordings: recordingRows };

  const startedAt = earliestInstant(ends.map((e) => e.startedAt)) ?? started.startedAt;
  const measured = endedAt ? Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 1000) : null;
  const duration = maxDuration(ends.map((e) => e.durationSeconds)) ?? maxDuration(recordings.map((r) => r.durationSeconds)) ?? saneDuration(measured);
  const context = { name: started.scenario.name, description: started.scenario.description, rubric: started.scenario.rubric };
  const durationSeconds = duration === null ? null : Math.round(duration);
  // Answers recorded for another transcript (one less full) do not apply to this one. `sorted` is by
  // key, so these are too, whatever order they arrived in.
  const answers = analyses.filter((a) => a.transcriptKey === transcript.key);
  const recordingKeys = answers.map((a) => a.key);
  const feedbackInput: FeedbackInputRow = {
    conversation_id: started.id,
    user_id: started.userId,
    scenario_id: started.scenario.id,
    completed_at: endedAt ?? earliestInstant(transcripts.map((t) => t.recordedAt)),
    duration: durationSeconds,
    transcript_position: transcript.position,
    transcript: transcript.turns,
    recordings: answers.length > 0 ? answers.map((a) => a.data) : null,
    user_present: transcript.mentionsUser,
    recording_positions: answers.map((a) => a.position),
    recorded_analyzers: [...new Set(answers.map((a) => a.analyzer))].sort(),
    context,
    // The transcript's idempotency key hashes its content, so this changes whenever the words do;
    // a recording arriving changes it too, so llm@1 scores again. Without recordings the hash is
    // what it was before they existed: builds made then are not stale for that alone.
    input_hash: createHash('sha256')
      .update(JSON.stringify(recordingKeys.length > 0 ? [transcript.key, durationSeconds, context, recordingKeys] : [transcript.key, durationSeconds, context]))
      .digest('base64url'),
    created_at: earliestInstant(transcripts.map((t) => t.recordedAt)) ?? updatedAt,
    updated_at: updatedAt,
  };
  return { conversation, feedbackInput, recordings: recordingRows };
}
