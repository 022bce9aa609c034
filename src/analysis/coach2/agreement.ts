import type { AnnomiRow } from '../annomi.js';
import { FAMILIES, FAMILY_NAMES, type Family } from './codes.js';
import { classOf, type Detectors } from './model.js';
import { labelledTurns } from './train.js';

// How often the detectors agree with the experts, per code: precision (of the utterances we gave
// the code, how many the expert did) and recall (of the expert's, how many we found). Counts
// are kept so that folds of a cross-validation add up before the ratios are taken.

export interface CodeCounts {
  /** Utterances both we and the expert gave the code. */
  hits: number;
  /** Utterances we gave it. */
  detected: number;
  /** Utterances the expert gave it. */
  labelled: number;
}

/** `reflection.simple`, ..., and `reflection.any`: any class of the family but "none". */
export type CodeName = `${Family}.${string}`;

export function codeNames(): CodeName[] {
  const out: CodeName[] = [];
  for (const family of FAMILY_NAMES) {
    const classes = FAMILIES[family].classes;
    for (let k = 1; k < classes.length; k++) out.push(`${family}.${classes[k]}`);
    if (classes.length > 2 && family !== 'talk') out.push(`${family}.any`);
  }
  return out;
}

export function countAgreement(rows: readonly AnnomiRow[], detectors: Detectors, into: Map<CodeName, CodeCounts> = new Map()): Map<CodeName, CodeCounts> {
  const add = (code: CodeName, hit: boolean, detected: boolean, labelled: boolean) => {
    let c = into.get(code);
    if (c === undefined) into.set(code, (c = { hits: 0, detected: 0, labelled: 0 }));
    if (hit) c.hits++;
    if (detected) c.detected++;
    if (labelled) c.labelled++;
  };
  const turns = labelledTurns(rows);
  for (const side of ['user', 'counterpart'] as const) {
    const model = detectors[side];
    const probabilities = new Float64Array(model.probabilityCount);
    for (const { turn, gold } of turns[side]) {
      model.detect(turn.tokens, turn.context, probabilities);
      for (const family of model.families) {
        const g = gold[family];
        if (g === undefined) continue;
        const p = classOf(probabilities, family);
        const names = FAMILIES[family].classes;
        for (let k = 1; k < names.length; k++) add(`${family}.${names[k]}`, p === k && g === k, p === k, g === k);
        if (names.length > 2 && family !== 'talk') add(`${family}.any`, p > 0 && g > 0, p > 0, g > 0);
      }
    }
  }
  return into;
}

export interface CodeAgreement {
  precision: number;
  recall: number;
  /** Utterances the experts gave the code. */
  labelled: number;
}

export function agreementOf(counts: ReadonlyMap<CodeName, CodeCounts>): Record<CodeName, CodeAgreement> {
  const out: Record<CodeName, CodeAgreement> = {};
  for (const code of codeNames()) {
    const c = counts.get(code) ?? { hits: 0, detected: 0, labelled: 0 };
    out[code] = {
      precision: c.detected > 0 ? c.hits / c.detected : Number.NaN,
      recall: c.labelled > 0 ? c.hits / c.labelled : Number.NaN,
      labelled: c.labelled,
    };
  }
  return out;
}
