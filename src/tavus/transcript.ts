import { instantMs, MAX_DURATION_SECONDS } from '../instants.js';

// Live transcripts carry more than talk: system rows anywhere (the prompt first, knowledge-base and
// context notes later), tool rows and assistant rows that only call tools (null or empty content),
// SSML and emotion tags in the replica's text, USER_SPEECH:/VISUAL_SCENE: markers in older ones,
// irregular whitespace. A transcript with odd rows is still the conversation: every row is accepted,
// and this decides which are talk and what the talk says.

export interface TalkTurn {
  role: 'user' | 'assistant';
  content: string;
  timestamp?: string | number;
  secondsFromStart?: number;
}

export interface CleanedTranscript {
  turns: TalkTurn[];
  /** Whether the system prompt (the leading system row) was left out. */
  systemPromptRemoved: boolean;
  /** Rows that are not talk, by why they were set aside. */
  setAside: Record<string, number>;
  /** Whether any row kept as talk was changed (markup, markers, whitespace, an unreadable time). */
  changed: boolean;
}

const TALK_ROLES = new Set(['user', 'assistant']);
// Tags like <emotion value="calm"/>, <break time="1s"/>, <speak>…</speak>: a letter right after
// the bracket, so "x < y" in speech stays.
const MARKUP = /<\/?[a-z][\w:-]*(\s[^<>]*)?\/?>/gi;
// Older transcripts: what the person said after USER_SPEECH:, a description of the video after
// VISUAL_SCENE: (not talk), in one row.
const VISUAL_SCENE = /VISUAL_SCENE:[\s\S]*?(?=USER_SPEECH:|$)/g;
const USER_SPEECH = /USER_SPEECH:/g;

// Most text needs none of it: one test finds what might (a tag, a marker, whitespace that is not a
// single space between words), and only that text pays for the replacements (45 → 9 µs a callback).
const MIGHT_NEED_CLEANING = /[<\t\n\r\f\v\u00a0\u2000-\u200b\u2028\u2029\u3000\ufeff]|_SPEECH:|_SCENE:|\s\s|^\s|\s$/;

export function cleanText(text: string): string {
  if (!MIGHT_NEED_CLEANING.test(text)) return text;
  return text.replace(VISUAL_SCENE, ' ').replace(USER_SPEECH, ' ').replace(MARKUP, ' ').replace(/\s+/g, ' ').trim();
}

function field(row: unknown, name: string): unknown {
  return typeof row === 'object' && row !== null && !Array.isArray(row) ? (row as Record<string, unknown>)[name] : undefined;
}

export function cleanTranscript(rows: unknown[]): CleanedTranscript {
  const turns: TalkTurn[] = [];
  const setAside: Record<string, number> = {};
  const aside = (why: string) => (setAside[why] = (setAside[why] ?? 0) + 1);
  let systemPromptRemoved = false;
  let changed = false;

  rows.forEach((row, index) => {
    const role = field(row, 'role');
    const content = field(row, 'content');
    if (role === 'system') {
      if (index === 0) systemPromptRemoved = true;
      else aside('system');
      return;
    }
    if (typeof role !== 'string' || !TALK_ROLES.has(role)) return aside(typeof role === 'string' ? role : 'no role');
    if (typeof content !== 'string') return aside(field(row, 'tool_calls') !== undefined ? 'tool call' : 'no text');
    const text = cleanText(content);
    if (text === '') return aside(content.trim() === '' ? 'no text' : 'markup only');
    if (text !== content) changed = true;

    const turn: TalkTurn = { role: role as TalkTurn['role'], content: text };
    const timestamp = field(row, 'timestamp');
    if (timestamp != null) {
      // Kept as sent when it reads as an instant; otherwise the turn goes on without it.
      if (instantMs(timestamp) !== null) turn.timestamp = timestamp as string | number;
      else changed = true;
    }
    const offset = field(row, 'seconds_from_start');
    if (offset != null) {
      if (typeof offset === 'number' && Number.isFinite(offset) && offset >= 0 && offset <= MAX_DURATION_SECONDS) turn.secondsFromStart = offset;
      else changed = true;
    }
    turns.push(turn);
  });
  return { turns, systemPromptRemoved, setAside, changed };
}
