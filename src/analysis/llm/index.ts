import type { AnalysisInput, AnalysisResult, Analyzer, EvidenceQuote, RecordedAnswer } from '../types.js';
import { llmAnswerSchema, type FeedbackPoint, type LlmAnswer } from './answer.js';
import { locateQuote, normaliseTalk, type NormalisedTalk } from './quotes.js';
import { personSpoke, talkOf } from './talk.js';
import { LLM_ANALYZER, LLM_ANALYZER_ID } from './version.js';

// llm@1 as the projections see it: a pure function of the transcript and the model's answer that
// was recorded for it (the call itself happens in src/reactors/llmAnalysis, once, and its answer
// is an event). Scoring the same history again reads the same recording: no call, same feedback.

export interface DroppedQuote {
  section: 'strengths' | 'areasForImprovement';
  /** Index of the point in its section. */
  item: number;
  quote: string;
}

const NOT_RECORDED = `no answer recorded yet for ${LLM_ANALYZER_ID}`;
const UNREADABLE = `the answer recorded for ${LLM_ANALYZER_ID} does not fit its answer schema`;

type Reading = { status: 'silent' } | { status: 'answered'; answer: LlmAnswer; recording: RecordedAnswer } | { status: 'pending'; reason: string };

/** The recording of this version; with several (there should be one), the same one whatever their order. */
function recordingOf(input: AnalysisInput): RecordedAnswer | undefined {
  let chosen: RecordedAnswer | undefined;
  for (const r of input.recordings ?? []) {
    if (r.analyzer !== LLM_ANALYZER_ID) continue;
    if (!chosen || r.promptSha256 < chosen.promptSha256) chosen = r;
  }
  return chosen;
}

function read(input: AnalysisInput): Reading {
  if (!personSpoke(talkOf(input.transcript))) return { status: 'silent' };
  const recording = recordingOf(input);
  if (!recording) return { status: 'pending', reason: NOT_RECORDED };
  const parsed = llmAnswerSchema.safeParse(recording.answer);
  if (!parsed.success) return { status: 'pending', reason: UNREADABLE };
  return { status: 'answered', answer: parsed.data, recording };
}

function clampScore(value: number): number {
  return Math.max(0, Math.min(100, Math.round(value)));
}

function backPoints(
  section: DroppedQuote['section'],
  points: readonly FeedbackPoint[],
  talk: readonly NormalisedTalk[],
  dropped: DroppedQuote[],
): EvidenceQuote[][] {
  return points.map((p, item) => {
    const evidence: EvidenceQuote[] = [];
    for (const raw of p.quotes) {
      const quote = raw.trim();
      const turn = locateQuote(quote, talk);
      if (turn === null) dropped.push({ section, item, quote });
      else evidence.push({ turn, quote });
    }
    return evidence;
  });
}

function answered(input: AnalysisInput, answer: LlmAnswer, recording: RecordedAnswer): AnalysisResult {
  const talk = normaliseTalk(talkOf(input.transcript));
  const droppedQuotes: DroppedQuote[] = [];
  const evidence = {
    strengths: backPoints('strengths', answer.strengths, talk, droppedQuotes),
    areasForImprovement: backPoints('areasForImprovement', answer.areasForImprovement, talk, droppedQuotes),
  };
  const overallScore = clampScore(answer.overallScore);
  return {
    score: overallScore,
    analysis: {
      status: 'answered',
      strengths: answer.strengths.map((p) => p.point),
      areasForImprovement: answer.areasForImprovement.map((p) => p.point),
      keyInsights: [...answer.keyInsights],
      communicationScore: clampScore(answer.communicationScore),
      empathyScore: clampScore(answer.empathyScore),
      problemSolvingScore: clampScore(answer.problemSolvingScore),
      overallScore,
      evidence,
      // Quotes the model gave that the transcript does not hold: kept out of the evidence, named here.
      droppedQuotes,
      model: recording.model,
      promptSha256: recording.promptSha256,
    },
  };
}

function zeros(status: 'silent' | 'pending', keyInsights: string[]): AnalysisResult {
  return {
    score: 0,
    analysis: { status, strengths: [], areasForImprovement: [], keyInsights, communicationScore: 0, empathyScore: 0, problemSolvingScore: 0, overallScore: 0 },
  };
}

export const llm: Analyzer = {
  ...LLM_ANALYZER,
  description: "a language model's feedback, recorded once per transcript and replayed from the history",
  pending(input) {
    const reading = read(input);
    return reading.status === 'pending' ? reading.reason : null;
  },
  analyze(input) {
    const reading = read(input);
    switch (reading.status) {
      case 'silent':
        // Nothing to send a model: the person never spoke, which scores 0 as it does for coach@1.
        return zeros('silent', ['You did not speak in this conversation, so there is nothing to assess.']);
      case 'pending':
        return zeros('pending', [`Feedback is not ready: ${reading.reason}.`]);
      case 'answered':
        return answered(input, reading.answer, reading.recording);
    }
  },
};

/** Whether a transcript needs a model's answer at all: false when the person said nothing. */
export function needsAnswer(input: Pick<AnalysisInput, 'transcript'>): boolean {
  return personSpoke(talkOf(input.transcript));
}
