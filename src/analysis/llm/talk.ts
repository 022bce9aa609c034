import type { Turn } from '../types.js';

// The talk of a transcript: what the person practising (`user`) and the replica (`assistant`)
// said. The feedback transcript should already be only that; this keeps llm@1 safe if it is not,
// because the prompt must never carry a replica's system prompt or a tool's output.

export type Speaker = 'person' | 'partner';

export interface TalkTurn {
  /** Index in the transcript the analyzer was given, so evidence points at the turn apps show. */
  turn: number;
  speaker: Speaker;
  /** The words, without markup tags and with whitespace collapsed. */
  text: string;
}

// Tag-shaped markup only (<emotion value="calm"/>, <break time="1s"/>, </transcript>): a bare
// "<" in speech ("less than <3 days") is left alone.
const TAG = /<\/?[A-Za-z][\w:-]*(?:\s[^<>]*)?\/?>/g;

export function cleanText(text: string): string {
  return text.replace(TAG, ' ').replace(/\s+/g, ' ').trim();
}

export function talkOf(transcript: readonly Turn[]): TalkTurn[] {
  const talk: TalkTurn[] = [];
  transcript.forEach((t, turn) => {
    const speaker = t.role === 'user' ? 'person' : t.role === 'assistant' ? 'partner' : null;
    if (!speaker || typeof t.content !== 'string') return;
    const text = cleanText(t.content);
    if (text !== '') talk.push({ turn, speaker, text });
  });
  return talk;
}

/** A model is asked only when the person said something: silence scores 0 without a call. */
export function personSpoke(talk: readonly TalkTurn[]): boolean {
  return talk.some((t) => t.speaker === 'person');
}
