import { Cue } from './phrases.js';
import type { Sentence, Tokens } from './tokenize.js';
import { W, type WordInfo } from './vocabulary.js';

// The grammatical form of a practitioner's sentence: an open question invites a story ("what",
// "how", "tell me"), a closed one a yes or no ("do you", "is it"), a tag is a statement said
// with a question mark ("so you're not sure?"), and the rest are statements. Read from the
// sentence's first real word and, in a marked question, from each clause's.

export type Form = 'open' | 'closed' | 'tag' | 'statement';

/** The form of the clause opening at `lead`, or null when it does not open a question. */
function questionAt(words: readonly string[], infos: readonly WordInfo[], lead: number, end: number, marked: boolean): 'open' | 'closed' | null {
  if (lead >= end) return null;
  const first = infos[lead]!.flags;
  const next = lead + 1 < end ? infos[lead + 1]!.flags : 0;
  // "what do you...", "how's it going?"; but "what you're saying is..." is a statement.
  if (first & W.wh && (marked || words[lead]!.includes("'") || next & W.aux)) return 'open';
  // "do you...", "is it..." ask for yes or no; without the question mark only before a pronoun
  // subject, so "Do your homework." stays an instruction.
  if (first & W.aux && next & W.subject && (marked || PRONOUNS.has(words[lead + 1]!))) return 'closed';
  if (!marked) return null;
  // "In what ways...?", "For how long?": a question word right after a preposition.
  if (next & W.wh && PREPOSITIONS.has(words[lead]!)) return 'open';
  // "Anything else?", "Any other reasons?"
  if (QUANTIFIERS.has(words[lead]!)) return 'closed';
  return null;
}

const PRONOUNS = new Set(['you', 'i', 'it', 'we', 'they', 'he', 'she', 'that', 'this', 'there']);
const PREPOSITIONS = new Set(['in', 'on', 'at', 'for', 'by', 'with', 'from', 'to', 'about', 'since', 'until', 'of']);
const QUANTIFIERS = new Set(['any', 'anything', 'anyone', 'anybody', 'anywhere', 'anymore']);

/** Skips discourse markers ("so", "okay") and stutters ("is-is doing...") before the real start. */
export function skipLeadIn(words: readonly string[], infos: readonly WordInfo[], i: number, end: number): number {
  while (i < end && (infos[i]!.flags & W.leadIn || (i + 1 < end && words[i] === words[i + 1]))) i++;
  return i;
}

/**
 * A sentence's form, read from the start of the sentence and of each clause in it: a question
 * often follows a name or a preamble ("Sandra, can you...", "On a scale of 1 to 10, how...").
 */
export function formOf(tokens: Tokens, infos: readonly WordInfo[], s: Sentence, lead: number, mask: number, clause: { next: number }): Form {
  const { words, clauses } = tokens;
  if (mask & (1 << Cue.openInvite)) return 'open';
  let form = questionAt(words, infos, lead, s.end, s.question);
  // Mid-sentence clauses count only in a marked question: unmarked, "..., which is why" is not one.
  while (form === null && s.question && clause.next < clauses.length && clauses[clause.next]! < s.end) {
    const c = clauses[clause.next++]!;
    if (c > s.start) form = questionAt(words, infos, skipLeadIn(words, infos, c, s.end), s.end, s.question);
  }
  while (clause.next < clauses.length && clauses[clause.next]! < s.end) clause.next++;
  return form ?? (s.question ? 'tag' : 'statement');
}
