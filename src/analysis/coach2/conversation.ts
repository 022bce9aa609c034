import { Cue, CueHits, scanPhrases } from '../coach/phrases.js';
import { sentimentOf } from '../coach/sentiment.js';
import type { Tokens } from '../coach/tokenize.js';
import { probabilityAt, type Detectors } from './model.js';
import { walk, type WalkedTurn } from './walk.js';

// Every turn of the conversation with what the detectors found in it. The practitioner's turns
// get their reflection, question and input codes; the counterpart's their change or sustain
// talk and how they sounded (AFINN valence). Two things stay rules rather than learnt codes,
// because AnnoMI does not label them: asking permission before advice ("is it okay if I...")
// and asking for advice ("what should I do?"), both from coach@1's cue lists.

export interface PractitionerCodes {
  words: number;
  /** Probability of each code, for expected counts. */
  reflection: number;
  complexReflection: number;
  question: number;
  openQuestion: number;
  closedQuestion: number;
  information: number;
  advice: number;
  negotiation: number;
  options: number;
  /** Asked permission to advise in this turn. */
  permission: boolean;
}

export interface CounterpartCodes {
  words: number;
  change: number;
  sustain: number;
  /** Sum of AFINN valences, negation-aware, and how many words carried one. */
  valence: number;
  rated: number;
  asksAdvice: boolean;
}

export interface CodedTurn extends WalkedTurn {
  user?: PractitionerCodes;
  counterpart?: CounterpartCodes;
}

const REFLECTION = probabilityAt('reflection');
const QUESTION = probabilityAt('question');
const INPUT = probabilityAt('input');
const TALK = probabilityAt('talk');

// Reused by every call: coding is synchronous and never re-entrant, and nothing keeps `hits`.
const HITS = new CueHits();

/** A practitioner's turn from its class probabilities (laid out as `probabilityAt` says). */
export function practitionerCodes(turn: WalkedTurn, p: ArrayLike<number>): PractitionerCodes {
  const { tokens } = turn;
  const hits = HITS.reset();
  scanPhrases(tokens.infos, 'userCues', tokens.words, 0, tokens.words.length, hits);
  return {
    words: tokens.words.length,
    reflection: 1 - p[REFLECTION]!,
    complexReflection: p[REFLECTION + 2]!,
    question: 1 - p[QUESTION]!,
    openQuestion: p[QUESTION + 1]!,
    closedQuestion: p[QUESTION + 2]!,
    information: p[INPUT + 1]!,
    advice: p[INPUT + 2]!,
    negotiation: p[INPUT + 3]!,
    options: p[INPUT + 4]!,
    permission: hits.has(Cue.permission),
  };
}

/** "What should I do?": a question that asks for advice (only a question can, so only those are scanned). */
function asksForAdvice(tokens: Tokens): boolean {
  if (!tokens.sentences.some((s) => s.question)) return false;
  const hits = HITS.reset();
  scanPhrases(tokens.infos, 'counterpartCues', tokens.words, 0, tokens.words.length, hits);
  return hits.has(Cue.adviceRequest);
}

/** A counterpart's turn from its class probabilities. */
export function counterpartCodes(turn: WalkedTurn, p: ArrayLike<number>): CounterpartCodes {
  const { tokens } = turn;
  const { sum, rated } = sentimentOf(tokens.infos);
  return {
    words: tokens.words.length,
    change: p[TALK + 1]!,
    sustain: p[TALK + 2]!,
    valence: sum,
    rated,
    asksAdvice: asksForAdvice(tokens),
  };
}

export function codeConversation(transcript: unknown, detectors: Detectors): CodedTurn[] {
  const turns: CodedTurn[] = walk(transcript);
  const userP = new Float64Array(detectors.user.probabilityCount);
  const counterpartP = new Float64Array(detectors.counterpart.probabilityCount);
  for (const turn of turns) {
    // A turn with no words says nothing to code (and the detectors' biases would invent a code).
    if (turn.tokens.words.length === 0) continue;
    if (turn.side === 'user') {
      detectors.user.detect(turn.tokens, turn.context, userP);
      turn.user = practitionerCodes(turn, userP);
    } else if (turn.side === 'counterpart') {
      detectors.counterpart.detect(turn.tokens, turn.context, counterpartP);
      turn.counterpart = counterpartCodes(turn, counterpartP);
    }
  }
  return turns;
}
