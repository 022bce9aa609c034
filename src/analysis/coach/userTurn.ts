import type { CounterpartMemory } from './memory.js';
import { Cue, CueHits, scanPhrases } from './phrases.js';
import { formOf, skipLeadIn } from './questionForm.js';
import type { Tokens } from './tokenize.js';
import { W, type WordInfo } from './vocabulary.js';

// Codes one turn of the practising person the way an MI coder would: each sentence gets a form
// (open or closed question, statement), the turn gets cues (reflection, advice, affirmation, ...),
// and finally one behaviour code, so it can be compared with utterance-level labels.

/** Statements this long, with no question and no sign of reflecting, are a lecture. */
const LECTURE_WORDS = 40;
/** Words in a statement short enough to be a restatement rather than an explanation. */
const SHORT_STATEMENT = 15;
/** A backchannel ("mm-hmm, okay, yeah") is only a few words long. */
const BACKCHANNEL_WORDS = 6;

export type BehaviourCode = 'question' | 'reflection' | 'input' | 'other';

export interface UserTurnCode {
  code: BehaviourCode;
  words: number;
  openQuestions: number;
  closedQuestions: number;
  reflection: boolean;
  summary: boolean;
  affirmation: boolean;
  advice: boolean;
  permission: boolean;
  information: boolean;
  lecture: boolean;
  nextStep: boolean;
  backchannel: boolean;
  fillers: number;
  hedges: number;
  /** Distinct content stems the counterpart used in their last two turns. */
  echoed: number;
  /** Distinct content stems the counterpart used at any time before (`echoed` among them), and never. */
  gathered: number;
  unheard: number;
  /** Names a feeling (a strongly rated word) the counterpart never used: a reflection going beyond their words. */
  unheardFeeling: boolean;
  /** Word index to quote for each finding, -1 when absent. */
  at: { question: number; reflection: number; advice: number; affirmation: number; summary: number; nextStep: number; filler: number };
}

function hasEcho(recent: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (recent[i] === 1) return true;
  return false;
}

function hasAny(infos: readonly WordInfo[], flag: number, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (infos[i]!.flags & flag) return true;
  return false;
}

/** "So it was quite recent." A statement opened by "so" draws a conclusion from what was said. */
function opensWithSo(words: readonly string[], from: number, lead: number): boolean {
  for (let i = from; i < lead; i++) if (words[i] === 'so') return true;
  return false;
}

// Reused by every call: coding is synchronous and never re-entrant, and nothing keeps `hits`.
const HITS = new CueHits();

export function codeUserTurn(tokens: Tokens, memory: CounterpartMemory, infos: readonly WordInfo[] = tokens.infos): UserTurnCode {
  const { words, sentences } = tokens;
  const hits = HITS.reset();
  const at = { question: -1, reflection: -1, advice: -1, affirmation: -1, summary: -1, nextStep: -1, filler: -1 };
  let open = 0;
  let closed = 0;
  let advice = false;
  let reflective = 0;
  let informing = 0;
  let statementWithYou = false;
  let firstYouStatement = -1;
  let concludes = false;
  let statementWords = 0;

  // Restated content: words the counterpart just used, and how many earlier ones a summary gathers.
  let echoed = 0;
  let gathered = 0;
  let unheardFeeling = false;
  let fillers = 0;
  const seen = new Set<string>();
  // Which words restate the counterpart's last two turns, by position, for per-sentence checks.
  const recent = new Uint8Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const info = infos[i]!;
    if (info.flags & W.filler) {
      fillers++;
      if (at.filler < 0) at.filler = i;
      continue;
    }
    if (!(info.flags & W.content)) continue;
    const st = info.stem;
    const heard = memory.heard(st);
    if (heard === 2) recent[i] = 1;
    if (seen.has(st)) continue;
    seen.add(st);
    if (heard === 2) echoed++;
    if (heard > 0) gathered++;
    else if (info.flags & W.feeling) unheardFeeling = true;
  }

  const clause = { next: 0 };
  for (const s of sentences) {
    const mask = scanPhrases(infos, 'userCues', words, s.start, s.end, hits);
    // "I appreciate you coming in" is manners; "I appreciate how hard you've worked" affirms.
    if (mask & (1 << Cue.affirm) && !(mask & (1 << Cue.social)) && at.affirmation < 0) at.affirmation = s.start;
    const lead = skipLeadIn(words, infos, s.start, s.end);
    const form = formOf(tokens, infos, s, lead, mask, clause);
    const adviceHere = (mask & (1 << Cue.advice)) !== 0;
    if (form === 'open' || form === 'closed') {
      if (form === 'open') open++;
      else closed++;
      if (at.question < 0) at.question = s.start;
      // Inside a question only a suggestion in question form is advice ("why don't you...",
      // "have you tried..."); "do you think you should..." asks, it does not tell.
      if (adviceHere && hits.first[Cue.advice] === lead) {
        advice = true;
        if (at.advice < 0) at.advice = s.start;
      }
      continue;
    }
    const reflectCue = (mask & (1 << Cue.reflection)) !== 0;
    // "Nice to meet you", "you're welcome": the "you" of good manners, not of listening.
    if (mask & (1 << Cue.social) && !reflectCue) continue;
    const you = hasAny(infos, W.you, s.start, s.end);
    if (adviceHere) {
      advice = true;
      if (at.advice < 0) at.advice = s.start;
      continue;
    }
    // A statement said back with a rising tone ("so you're drinking a lot?") is a reflection
    // when it restates them; with new content ("and you found us okay?") it asks.
    if (form === 'tag' && !reflectCue && !(you && hasEcho(recent, s.start, s.end))) {
      closed++;
      if (at.question < 0) at.question = s.start;
      continue;
    }
    statementWords += s.end - s.start;
    if (you && !statementWithYou) {
      statementWithYou = true;
      firstYouStatement = s.start;
    }
    if (mask & (1 << Cue.info)) informing++;
    // Said back as a question, or naming a feeling of theirs: reflective. Concluding with "so"
    // is a weaker sign: practitioners also open advice and information that way.
    if (reflectCue || (you && (form === 'tag' || hasAny(infos, W.feeling, s.start, s.end)))) {
      reflective++;
      if (at.reflection < 0) at.reflection = s.start;
    } else if (opensWithSo(words, s.start, lead)) {
      concludes = true;
      if (at.reflection < 0) at.reflection = s.start;
    }
  }

  const n = words.length;
  let backchannel = n > 0 && n <= BACKCHANNEL_WORDS;
  for (let i = 0; backchannel && i < n; i++) if (!(infos[i]!.flags & W.backchannel)) backchannel = false;

  const questions = open + closed;
  const summary = hits.has(Cue.summary) && (statementWithYou || gathered >= 3);
  // Strong signs of a reflection: a cue phrase ("it sounds like", "you feel"), a statement said
  // back with a rising tone, a summary. Weak signs: a "you" statement reusing what was just said,
  // a short echo of their words. A turn with more informing sentences than reflective ones
  // ("You're worried about the baby. Research shows...") is coded by what it mostly does.
  const information = informing > 0;
  const strong = (reflective > 0 && reflective >= informing) || summary;
  // A short statement about "you" that neither asks nor tells is, in practice, saying back.
  const weak =
    (statementWithYou && (echoed >= 1 || statementWords <= SHORT_STATEMENT)) ||
    (statementWords > 0 && statementWords <= 12 && echoed >= 1) ||
    (statementWords > 0 && statementWords <= 25 && echoed >= 2) ||
    concludes;
  const lecture = statementWords >= LECTURE_WORDS && !strong && questions === 0;
  let code: BehaviourCode;
  if (n === 0 || backchannel) code = 'other';
  else if (advice) code = 'input';
  else if (questions > 0) code = 'question';
  else if (strong) code = 'reflection';
  else if (information || lecture) code = 'input';
  else if (weak) code = 'reflection';
  else if (hits.has(Cue.permission)) code = 'input';
  else code = 'other';
  // Counted as a reflection when it is one, even in a turn that also asks a question.
  const reflection = !backchannel && !advice && (strong || (weak && !information && !lecture));
  if (reflection && at.reflection < 0) at.reflection = summary ? Math.max(0, hits.first[Cue.summary]!) : Math.max(0, firstYouStatement);
  if (summary) at.summary = hits.first[Cue.summary]!;
  const affirmation = at.affirmation >= 0;
  const nextStep = hits.has(Cue.nextStep);
  if (nextStep) at.nextStep = hits.first[Cue.nextStep]!;

  return {
    code,
    words: n,
    openQuestions: open,
    closedQuestions: closed,
    reflection,
    summary,
    affirmation,
    advice,
    permission: hits.has(Cue.permission),
    information,
    lecture,
    nextStep,
    backchannel,
    fillers,
    hedges: hits.count[Cue.hedge]!,
    echoed,
    gathered,
    unheard: seen.size - gathered,
    unheardFeeling,
    at,
  };
}
