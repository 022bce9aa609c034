import type { AnnomiRow } from '../annomi.js';
import type { CodeCounts, CodeName } from '../coach2/agreement.js';
import { nestedPlan, NESTED, type NestedOptions, type Plan } from './plan.js';
import { rowsOf } from './folds.js';
import type { Learner, RowResult, RunResult } from './learner.js';

// Puts a nested cross-validation together from its runs (plan.ts). For each outer fold the setting
// is the one whose inner runs score best by the learner's criterion (ties: the earlier candidate);
// the fold's conversations are then scored by the run of that setting trained on the whole outer
// training set. Beside it, for comparison only, the old procedure: one setting chosen by the
// criterion on the pooled outer runs, that is, on the very folds that then report its score.

export interface FoldChoice {
  heldOut: string[];
  /** The criterion of each candidate on this fold's inner runs (empty with one candidate). */
  inner: number[];
  chosen: number;
}

export interface CandidateOutcome {
  setting: string;
  /** Every conversation scored by this setting's outer runs. */
  rows: RowResult[];
  /** The criterion on those outer runs: what the old procedure chose by. */
  criterion: number;
}

export interface NestedOutcome {
  analyzer: string;
  folds: FoldChoice[];
  /** Every conversation, scored by its outer fold's chosen setting: the nested estimate's input. */
  rows: RowResult[];
  codes: Partial<Record<CodeName, CodeCounts>>;
  candidates: CandidateOutcome[];
  /** The candidate the old procedure would have chosen (best criterion on the outer folds). */
  sameFolds: number;
}

function addCodes(into: Partial<Record<CodeName, CodeCounts>>, codes: RunResult['codes']): void {
  for (const [name, c] of Object.entries(codes ?? {}) as [CodeName, CodeCounts][]) {
    const t = (into[name] ??= { hits: 0, detected: 0, labelled: 0 });
    t.hits += c.hits;
    t.detected += c.detected;
    t.labelled += c.labelled;
  }
}

function best(values: readonly number[]): number {
  let at = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[at]!) at = i;
  return at;
}

/** `results[j]` is the run of `plan.jobs[j]`. */
export function assembleNested<S>(learner: Learner<S>, rows: readonly AnnomiRow[], plan: Plan, results: readonly RunResult[]): NestedOutcome {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const C = learner.candidates.length;
  const order = new Map(rows.map((r, i) => [r.id, i]));
  const sorted = (list: RowResult[]) => list.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const folds: FoldChoice[] = [];
  const chosenRows: RowResult[] = [];
  const codes: Partial<Record<CodeName, CodeCounts>> = {};
  const perCandidate: RowResult[][] = Array.from({ length: C }, () => []);
  plan.outer.forEach((heldOut, f) => {
    const jobs = plan.jobs.filter((j) => j.outer === f);
    const inner =
      C > 1
        ? learner.candidates.map((_, c) =>
            learner.criterion(
              jobs.filter((j) => j.inner !== null && j.candidate === c).flatMap((j) => results[j.index]!.rows),
              byId,
            ),
          )
        : [];
    const chosen = C > 1 ? best(inner) : 0;
    folds.push({ heldOut, inner, chosen });
    for (const j of jobs.filter((j) => j.inner === null)) {
      const run = results[j.index]!;
      perCandidate[j.candidate]!.push(...run.rows);
      if (j.candidate === chosen) {
        chosenRows.push(...run.rows);
        addCodes(codes, run.codes);
      }
    }
  });
  const candidates = learner.candidates.map((s, c) => {
    const list = sorted(perCandidate[c]!);
    return { setting: learner.describe(s), rows: list, criterion: C > 1 ? learner.criterion(list, byId) : 0 };
  });
  return {
    analyzer: learner.analyzer,
    folds,
    rows: sorted(chosenRows),
    codes,
    candidates,
    sameFolds: best(candidates.map((c) => c.criterion)),
  };
}

/** Makes every run of the plan here, one after another, and puts them together. */
export function runNested<S>(
  learner: Learner<S>,
  rows: readonly AnnomiRow[],
  options: NestedOptions = NESTED,
  onRun?: (done: number, total: number) => void,
): NestedOutcome {
  const plan = nestedPlan(rows, learner.candidates.length, options);
  const results = plan.jobs.map((job) => {
    const result = learner.run(rowsOf(rows, job.train), rowsOf(rows, job.score), learner.candidates[job.candidate]!);
    onRun?.(job.index + 1, plan.jobs.length);
    return result;
  });
  return assembleNested(learner, rows, plan, results);
}
