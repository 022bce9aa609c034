// MITI's summary scores from behaviour counts of one conversation: reflections per question
// (R:Q), the share of reflections that are complex (%CR), the share of questions that are open
// (%OQ). Counts may be whole (a rule coded each utterance) or expected (the sum of a detector's
// probabilities). Shares need at least one of what they divide by, else they are null; R:Q
// divides by at least one question, so with none the reflections alone speak.

export interface MitiCounts {
  reflections: number;
  complexReflections: number;
  questions: number;
  openQuestions: number;
  closedQuestions: number;
}

export interface MitiSummary {
  reflectionToQuestionRatio: number;
  complexReflectionShare: number | null;
  openQuestionShare: number | null;
}

function share(part: number, whole: number): number | null {
  return whole >= 1 ? part / whole : null;
}

/** Unrounded: each analyzer rounds as its output always has. */
export function mitiSummary(c: MitiCounts): MitiSummary {
  return {
    reflectionToQuestionRatio: c.reflections / Math.max(1, c.questions),
    complexReflectionShare: share(c.complexReflections, c.reflections),
    openQuestionShare: share(c.openQuestions, c.openQuestions + c.closedQuestions),
  };
}
