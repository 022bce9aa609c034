import type { RubricReport } from './criteria.js';
import type { Metrics } from './metrics.js';

// Key insights: the few facts worth knowing at a glance, each traceable to a metric.

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function insightsOf(m: Metrics, durationSeconds: number | null, rubric: RubricReport | undefined): string[] {
  const n = (v: number | null) => v ?? 0;
  const out = [
    `You spoke in ${plural(n(m.userTurns), 'turn')} (${plural(n(m.userWords), 'word')}, ${Math.round(n(m.talkShare) * 100)}% of all words); they spoke in ${plural(n(m.counterpartTurns), 'turn')}.`,
  ];
  if (n(m.userTurns) > 0) {
    out.push(
      `Your moves: ${plural(n(m.questions), 'question')} (${n(m.openQuestions)} open), ${plural(n(m.reflections), 'reflection')}, ${plural(n(m.adviceGiven), 'piece')} of advice, ${plural(n(m.informationTurns) + n(m.lectures), 'stretch', 'stretches')} of information or explanation.`,
    );
  }
  if (n(m.counterpartChangeTalk) + n(m.counterpartSustainTalk) > 0) {
    out.push(
      `They spoke toward change ${plural(n(m.counterpartChangeTalk), 'time')} and for staying as they are ${plural(n(m.counterpartSustainTalk), 'time')}.`,
    );
  }
  if (m.counterpartOpeningUp !== null && m.counterpartOpeningUp >= 1.25)
    out.push(`They opened up as the conversation went on: ${m.counterpartOpeningUp.toFixed(1)}× the words per turn by the end.`);
  if (m.counterpartOpeningUp !== null && m.counterpartOpeningUp <= 0.75)
    out.push(`Their answers got shorter as the conversation went on: ${m.counterpartOpeningUp.toFixed(1)}× the words per turn by the end.`);
  if (m.responseSeconds !== null) {
    out.push(
      m.responseSeconds < 1
        ? 'You usually answered as soon as they finished (median pause under a second, estimated from timestamps).'
        : `You usually paused about ${m.responseSeconds} seconds before answering (median, estimated from timestamps).`,
    );
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
