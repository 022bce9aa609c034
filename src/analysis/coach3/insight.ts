import type { MitiReport } from './miti.js';

// The MITI counts in one line a coach reads at a glance, each measure beside its level and the
// manual's thresholds.

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

export function mitiInsight(m: MitiReport): string | null {
  if (m.questions + m.reflections === 0) return null;
  const parts = [`R:Q ${m.reflectionToQuestionRatio.toFixed(1)} (${m.levels.reflectionToQuestionRatio}; MITI: 1 fair, 2 good)`];
  if (m.openQuestionShare !== null) parts.push(`open questions ${pct(m.openQuestionShare)} (${m.levels.openQuestionShare}; 50% fair, 70% good)`);
  if (m.complexReflectionShare !== null)
    parts.push(`complex reflections ${pct(m.complexReflectionShare)} (${m.levels.complexReflectionShare}; 40% fair, 50% good)`);
  return (
    `MITI counts: ${plural(m.reflections, 'reflection')} (${m.complexReflections} complex) to ${plural(m.questions, 'question')} (${m.openQuestions} open); ` +
    `${parts.join(', ')}.`
  );
}
