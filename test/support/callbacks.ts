import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Tavus's documented example callbacks (vendored in test/fixtures/tavus-callbacks/), placeholders filled.

const CALLBACKS_DIR = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../fixtures/tavus-callbacks');

export const EXAMPLE_TYPES = [
  'system.replica_joined',
  'system.shutdown',
  'application.transcription_ready',
  'application.recording_ready',
  'application.perception_analysis',
] as const;

export function exampleCallback(type: (typeof EXAMPLE_TYPES)[number], conversationId: string): Record<string, unknown> {
  const text = readFileSync(path.join(CALLBACKS_DIR, `${type}.json`), 'utf8');
  const body = JSON.parse(text) as Record<string, unknown>;
  body.conversation_id = conversationId;
  body.webhook_url = 'http://feedback.test/webhooks/tavus';
  const props = body.properties as Record<string, unknown>;
  if ('replica_id' in props) props.replica_id = 'r-test';
  if ('bucket_name' in props) props.bucket_name = 'recordings';
  if ('s3_key' in props) props.s3_key = `${conversationId}.mp4`;
  return body;
}

/** Callback shapes seen in the wild but not in the documentation's examples. */
export function wildCallback(type: string, conversationId: string, properties: Record<string, unknown>): Record<string, unknown> {
  return {
    conversation_id: conversationId,
    event_type: type,
    message_type: type.split('.')[0],
    timestamp: '2025-07-11T06:50:00.000000Z',
    webhook_url: 'http://feedback.test/webhooks/tavus',
    properties,
  };
}

/** The original design's single-body callback: everything about the end in one POST. */
export function singleBodyCallback(conversationId: string, turns = 6): Record<string, unknown> {
  const start = Date.parse('2025-03-01T10:00:00Z');
  return {
    conversation_id: conversationId,
    status: 'completed',
    end_reason: 'participant_left',
    started_at: new Date(start).toISOString(),
    ended_at: new Date(start + 300_000).toISOString(),
    duration: 300,
    participant_name: 'Sam',
    recording_url: `https://recordings.example/${conversationId}.mp4`,
    participant_left_at: new Date(start + 299_000).toISOString(),
    transcript: Array.from({ length: turns }, (_, i) => ({
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: i % 2 === 0 ? `How did the project go this week, part ${i}?` : `It went fine, though the deadline slipped by ${i} days.`,
      timestamp: new Date(start + i * 10_000).toISOString(),
    })),
  };
}
