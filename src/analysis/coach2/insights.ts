import type { RubricReport } from '../coach/criteria.js';
import type { Coach2Metrics } from './measures.js';
import type { CounterpartSentiment } from './sentiment.js';

// Key insights: the few facts worth knowing at a glance, each traceable to a metric.

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const r = (v: number | null) => Math.round(v ?? 0);

export function insightsOf(m: Coach2Metrics, sentiment: CounterpartSentiment, durationSeconds: number | null, rubric: RubricReport | undefined): string[] {
  const out = [
    `You spoke in ${plural(r(m.userTurns), 'turn')} (${plural(r(m.userWords), 'word')}, ${Math.round((m.talkShare ?? 0) * 100)}% of all words); they spoke in ${plural(r(m.counterpartTurns), 'turn')}.`,
  ];
  if (r(m.userWords) > 0) {
    out.push(
      `MITI summary: reflections to questions ${(m.reflectionToQuestionRatio ?? 0).toFixed(1)}:1, ` +
        `complex reflections ${m.complexReflectionShare === null ? 'n/a' : `${Math.round(m.complexReflectionShare * 100)}%`}, ` +
        `open questions ${m.openQuestionShare === null ? 'n/a' : `${Math.round(m.openQuestionShare * 100)}%`}, ` +
        `advice without permission about ${plural(r(m.unsolicitedAdvice), 'time')}.`,
    );
  }
  if (r(m.counterpartChangeTalk) + r(m.counterpartSustainTalk) > 0) {
    out.push(
      `They spoke toward change about ${plural(r(m.counterpartChangeTalk), 'time')} and for staying as they are about ${plural(r(m.counterpartSustainTalk), 'time')}.`,
    );
  }
  if (sentiment.trend !== null && Math.abs(sentiment.trend) >= 0.5) {
    out.push(sentiment.trend > 0 ? 'They sounded more positive by the end than at the start.' : 'They sounded more negative by the end than at the start.');
  }
  if (durationSeconds !== null) out.push(`The conversation lasted ${plural(Math.round(durationSeconds), 'second')}.`);
  if (rubric?.status === 'applied') {
    const measured = rubric.criteria.filter((c) => c.passed !== null);
    out.push(`Scenario rubric: ${measured.filter((c) => c.passed).length} of ${plural(measured.length, 'criterion', 'criteria')} met.`);
  } else if (rubric?.status === 'invalid') {
    out.push(`The scenario's rubric is invalid and was ignored: ${rubric.errors[0] ?? 'unknown error'}.`);
  }
  return out;
}
