import type { AnalysisInput, AnalysisResult, Analyzer } from '../types.js';

// The seed's kind of scoring made honest: a few counts of the conversation, reported as they are.
// It is the fast reference every better analyzer is compared with, so it stays deliberately simple.

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** The reference count: matches of WORD. Any text with a non-ASCII character is counted here. */
export function countWordsWithRegex(text: string): number {
  let n = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(text) !== null) n++;
  return n;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isAsciiWordChar(c: number): boolean {
  return isAsciiLetter(c) || (c >= 48 && c <= 57);
}

/**
 * The same count as the regex, by a hand scan for ASCII text (nearly all of it), which runs a
 * few times faster; a property test keeps the two equal. Falls back at the first non-ASCII char.
 */
export function countWords(text: string): number {
  const len = text.length;
  let n = 0;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c > 127) return countWordsWithRegex(text);
    if (!isAsciiWordChar(c)) {
      i++;
      continue;
    }
    n++;
    i++;
    while (i < len && isAsciiWordChar(text.charCodeAt(i))) i++;
    // An apostrophe continues the word with letters only: "don't" is one word, "don't9" two.
    while (i + 1 < len && text.charCodeAt(i) === 39 && isAsciiLetter(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < len && isAsciiLetter(text.charCodeAt(i))) i++;
    }
    // A non-ASCII character right after a word may extend it under the Unicode rules.
    if (i < len && text.charCodeAt(i) > 127) return countWordsWithRegex(text);
  }
  return n;
}

function clamp(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.max(0, Math.min(100, Math.round(value)));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const baseline: Analyzer = {
  name: 'baseline',
  version: 1,
  description: 'Counts of turns, words, questions and talk share; the fast reference scorer.',

  analyze(input: AnalysisInput): AnalysisResult {
    let userTurns = 0;
    let otherTurns = 0;
    let userWords = 0;
    let otherWords = 0;
    let userQuestions = 0;
    for (const turn of input.transcript) {
      const content = typeof turn.content === 'string' ? turn.content : '';
      const words = countWords(content);
      if (turn.role === 'user') {
        userTurns++;
        userWords += words;
        if (content.includes('?')) userQuestions++;
      } else if (turn.role !== 'system') {
        otherTurns++;
        otherWords += words;
      }
    }
    const totalWords = userWords + otherWords;
    const talkShare = totalWords === 0 ? 0 : userWords / totalWords;
    const duration =
      input.durationSeconds != null && Number.isFinite(input.durationSeconds) && input.durationSeconds > 0 ? Math.round(input.durationSeconds) : null;

    // Engagement: how much the person took part; balance: how close their share is to half.
    const engagement = clamp((Math.min(userTurns, 15) / 15) * 100);
    const balance = clamp(100 - Math.abs(talkShare - 0.5) * 200);
    const curiosity = clamp(userTurns === 0 ? 0 : (userQuestions / userTurns) * 250);
    const communicationScore = clamp(0.6 * engagement + 0.4 * balance);
    const empathyScore = clamp(0.5 * balance + 0.5 * curiosity);
    const problemSolvingScore = clamp(0.5 * engagement + 0.5 * curiosity);
    const overallScore = clamp((communicationScore + empathyScore + problemSolvingScore) / 3);

    const sharePct = Math.round(talkShare * 100);
    const strengths: string[] = [];
    const areasForImprovement: string[] = [];
    if (userTurns >= 5) strengths.push(`You stayed in the conversation for ${plural(userTurns, 'turn')}.`);
    else areasForImprovement.push(`You spoke in only ${plural(userTurns, 'turn')}; practise carrying the exchange further.`);
    if (userQuestions >= 2) strengths.push(`You asked ${plural(userQuestions, 'question')}, inviting the other side to talk.`);
    else areasForImprovement.push(`You asked ${plural(userQuestions, 'question')}; more questions would draw the other side out.`);
    if (totalWords > 0 && sharePct >= 30 && sharePct <= 60) strengths.push(`You spoke ${sharePct}% of the words, a balanced share.`);
    else if (totalWords > 0) areasForImprovement.push(`You spoke ${sharePct}% of the words; aim for between 30% and 60%.`);

    const keyInsights = [
      `${plural(userTurns, 'turn')} and ${plural(userWords, 'word')} from you, ${plural(otherTurns, 'turn')} and ${plural(otherWords, 'word')} from your counterpart.`,
    ];
    if (duration !== null) keyInsights.push(`The conversation lasted ${plural(duration, 'second')}.`);

    return {
      score: overallScore,
      analysis: {
        strengths,
        areasForImprovement,
        keyInsights,
        communicationScore,
        empathyScore,
        problemSolvingScore,
        overallScore,
      },
    };
  },
};
