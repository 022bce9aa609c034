import type { AnnomiRow } from '../annomi.js';
import { familiesOf, FAMILIES, goldClass } from './codes.js';
import { counterpartCodes, practitionerCodes, type CodedTurn } from './conversation.js';
import { measure, type Coach2Metrics } from './measures.js';
import { probabilityAt } from './model.js';
import { walk } from './walk.js';

// coach@2's measures as the experts' codes give them: each turn coded as certain of its label, as
// if the detectors were perfect. What detectors are judged against, and the most better ones
// could give the scores.

/** The MITI measures whose agreement with the experts' chooses coach@2's settings and is reported. */
export const AGREED_MEASURES = ['reflectionToQuestionRatio', 'complexReflectionShare', 'openQuestionShare', 'miAdherence', 'changeTalkShare'] as const;

export function expertCoded(row: AnnomiRow): CodedTurn[] {
  const turns: CodedTurn[] = walk(row.transcript);
  for (const t of turns) {
    if (t.side === 'other' || t.tokens.words.length === 0) continue;
    const families = familiesOf(t.side);
    const p = new Float64Array(families.reduce((n, f) => n + FAMILIES[f].classes.length, 0));
    for (const family of families) p[probabilityAt(family) + (goldClass(family, row.labels[t.index]) ?? 0)] = 1;
    if (t.side === 'user') t.user = practitionerCodes(t, p);
    else t.counterpart = counterpartCodes(t, p);
  }
  return turns;
}

const cache = new WeakMap<AnnomiRow, Coach2Metrics>();

/** The row's measures from its experts' codes (computed once per row). */
export function expertMeasures(row: AnnomiRow): Coach2Metrics {
  let m = cache.get(row);
  if (m === undefined) cache.set(row, (m = measure(expertCoded(row))));
  return m;
}
