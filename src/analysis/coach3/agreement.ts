import type { AnnomiRow } from '../annomi.js';
import { walkConversation } from '../coach/conversation.js';
import type { CodeCounts, CodeName } from '../coach2/agreement.js';
import { goldClass } from '../coach2/codes.js';
import { utteranceCodes, type UtteranceCode } from './utterances.js';

// coach@3's utterance codes against the experts' (AnnoMI's reflection and question codes, one of
// each family per practitioner utterance), counted as coach@2's detectors are, so both print in one
// table: per code, utterances both gave it, we gave it, the expert gave it.

const REFLECTION = ['none', 'simple', 'complex'] as const;
const QUESTION = ['none', 'open', 'closed'] as const;

export function countMitiAgreement(rows: readonly AnnomiRow[]): Partial<Record<CodeName, CodeCounts>> {
  const out: Partial<Record<CodeName, CodeCounts>> = {};
  const add = (code: CodeName, ours: boolean, theirs: boolean) => {
    const c = (out[code] ??= { hits: 0, detected: 0, labelled: 0 });
    if (ours && theirs) c.hits++;
    if (ours) c.detected++;
    if (theirs) c.labelled++;
  };
  const family = (name: 'reflection' | 'question', classes: readonly string[], ours: number, gold: number) => {
    for (let k = 1; k < classes.length; k++) add(`${name}.${classes[k]}`, ours === k, gold === k);
    add(`${name}.any`, ours > 0, gold > 0);
  };
  for (const row of rows) {
    const codes = new Map<number, UtteranceCode>(utteranceCodes(walkConversation(row.transcript)).map((c) => [c.index, c]));
    row.transcript.forEach((turn, i) => {
      if (turn.role !== 'user') return;
      const label = row.labels[i];
      const goldReflection = goldClass('reflection', label);
      const goldQuestion = goldClass('question', label);
      if (goldReflection === null || goldQuestion === null) return;
      const c = codes.get(i);
      family('reflection', REFLECTION, c?.reflection ? REFLECTION.indexOf(c.reflection) : 0, goldReflection);
      family('question', QUESTION, c?.question ? QUESTION.indexOf(c.question) : 0, goldQuestion);
    });
  }
  return out;
}
