// The contract every analyzer keeps. Analysis knows nothing of events, HTTP or the database:
// a transcript and its context come in, scores and feedback go out, the same every time.

/** One turn as the analyzers see it: the system prompt is already gone. */
export interface Turn {
  /** `user` is the person practising, `assistant` the replica; any other role may appear. */
  role: string;
  content: string;
  /** ISO-8601 string, epoch seconds, or absent, as Tavus sends them in the wild. */
  timestamp?: string | number | null;
  /** Some transcripts carry an offset from the start instead of (or beside) a timestamp. */
  secondsFromStart?: number | null;
}

/** What the scenario says about the conversation, captured when the conversation started. */
export interface ScenarioContext {
  name?: string;
  description?: string;
  /** The scenario's rubric as stored; each analyzer validates what it understands of it. */
  rubric?: unknown;
}

export interface AnalysisInput {
  transcript: Turn[];
  /** Length of the conversation in seconds when known. */
  durationSeconds?: number | null;
  context?: ScenarioContext;
  /**
   * Answers recorded for exactly this transcript (a model's, for `llm@1`), of any analyzer version;
   * each analyzer that reads one picks its own by `analyzer`. Beside the scenario rather than in it:
   * the scenario is fixed when the conversation starts, a recording arrives later.
   */
  recordings?: readonly RecordedAnswer[];
}

/**
 * What an analyzer reads of a recorded answer (the `AnalysisRecorded` event's data has more: usage,
 * latency, which transcript it answered). Whatever was not pure (a model's answer) happened before
 * and was recorded; scoring it again reads the recording, so a replay gives the same feedback.
 */
export interface RecordedAnswer {
  /** `name@version` of the analyzer whose prompt was answered. */
  analyzer: string;
  model: string;
  promptSha256: string;
  /** The answer as validated when it was recorded; the analyzer parses it again with its schema. */
  answer?: unknown;
}

/**
 * The fields the original design stored in `feedback_sessions.analysis`, which apps read today.
 * Analyzers may add fields beside them (metrics, evidence, criteria), never change these.
 */
/** The skills every analysis scores, 0-100; the one list of them. */
export const SKILL_SCORE_NAMES = ['communicationScore', 'empathyScore', 'problemSolvingScore'] as const;
/** Every score an analysis carries: the overall one and the skills. */
export const SCORE_NAMES = ['overallScore', ...SKILL_SCORE_NAMES] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

export interface Analysis {
  strengths: string[];
  areasForImprovement: string[];
  keyInsights: string[];
  communicationScore: number;
  empathyScore: number;
  problemSolvingScore: number;
  overallScore: number;
  [extra: string]: unknown;
}

export interface AnalysisResult {
  /** The headline score, 0..100, what `feedback_sessions.score` holds. */
  score: number;
  analysis: Analysis;
}

export interface Analyzer {
  /** e.g. `baseline` */
  name: string;
  /** Bumped whenever the output for some input would change. */
  version: number;
  /** One line for `tavus-feedback analyzers`. */
  description: string;
  /** Pure: no clock, no network, no randomness; never throws for any transcript. */
  analyze(input: AnalysisInput): AnalysisResult;
  /**
   * Only analyzers that read a recorded answer have it: why this input cannot be scored yet (no
   * answer recorded for it), or null when it can. A caller asks before `analyze` and writes no
   * feedback while pending; `analyze` on a pending input still answers (zero scores marked
   * `status: 'pending'`) rather than throw, but that result is not feedback.
   */
  pending?(input: AnalysisInput): string | null;
}

/** `name@version`, the id stored beside every feedback row. */
export function analyzerId(analyzer: Pick<Analyzer, 'name' | 'version'>): string {
  return `${analyzer.name}@${analyzer.version}`;
}

/** One quote backing a piece of feedback: the turn's index in the input transcript and the person's words there. */
export interface EvidenceQuote {
  turn: number;
  quote: string;
}

/**
 * Evidence beside the string arrays apps already read, aligned by index: `strengths[i]` is
 * backed by `evidence.strengths[i]` (one or more quotes of the practising person, `user`).
 * A list is empty only when the person said nothing that could be quoted.
 */
export interface FeedbackEvidence {
  strengths: EvidenceQuote[][];
  areasForImprovement: EvidenceQuote[][];
}
