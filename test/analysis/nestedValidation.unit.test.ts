import { describe, expect, it } from 'vitest';
import type { AnnomiRow } from '../../src/analysis/annomi.js';
import { auc } from '../../src/analysis/evaluate.js';
import { sourceResamples } from '../../src/analysis/validation/bootstrap.js';
import { groupedFolds, lowSources } from '../../src/analysis/validation/folds.js';
import type { Learner, RunResult } from '../../src/analysis/validation/learner.js';
import { assembleNested, runNested } from '../../src/analysis/validation/nested.js';
import { nestedPlan } from '../../src/analysis/validation/plan.js';

// The nested cross-validation on made-up conversations: folds keep sources whole, the choice of a
// setting for an outer fold never sees that fold, and a model that memorises what it was trained
// on earns nothing from it. Each test here would fail if the old leak (choosing on the folds that
// report the score) came back.

/** 30 sources, some with two conversations, one in four low quality. */
function madeUp(): AnnomiRow[] {
  const rows: AnnomiRow[] = [];
  for (let s = 0; s < 30; s++) {
    const cuts = s % 5 === 0 ? 2 : 1;
    for (let c = 0; c < cuts; c++) {
      rows.push({ id: `c${s}-${c}`, source: `s${String(s).padStart(2, '0')}`, topic: 't', quality: s % 4 === 1 ? 'low' : 'high', transcript: [], labels: [] });
    }
  }
  return rows;
}

const scores = (v: number) => ({ overallScore: v, communicationScore: v, empathyScore: v, problemSolvingScore: v });
/** A weak honest signal: mostly right, often wrong, fixed per conversation. */
const honest = (r: AnnomiRow) => (r.quality === 'high' ? 60 : 50) + ((r.id.length * 7 + r.source.charCodeAt(2)) % 15);

/**
 * Two settings: 0 is honest; 1 recites the quality of every conversation it was trained on and
 * guesses the others. It looks perfect only where it has seen the answers.
 */
function memoriser(trainedOn: Set<string>[] = []): Learner<number> {
  return {
    analyzer: 'memo@1',
    candidates: [0, 1],
    describe: (s) => (s === 0 ? 'honest' : 'memorise'),
    run(training, scored, setting): RunResult {
      const seen = new Set(training.map((r) => r.id));
      trainedOn.push(new Set(training.map((r) => r.source)));
      return {
        rows: scored.map((r) => ({
          id: r.id,
          scores: scores(setting === 1 && seen.has(r.id) ? (r.quality === 'high' ? 1000 : 0) : setting === 1 ? 55 : honest(r)),
        })),
      };
    },
    // Reads the quality labels: allowed here, where the point is what it is shown.
    criterion: (results, rows) =>
      auc(
        results.map((r) => r.scores.overallScore),
        results.map((r) => rows.get(r.id)!.quality === 'high'),
      ),
  };
}

describe('nested cross-validation grouped by source', () => {
  const rows = madeUp();

  it('deals whole sources into folds, low-quality sources spread over them', () => {
    const folds = groupedFolds(rows, 5);
    const all = folds.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...new Set(rows.map((r) => r.source))].sort());
    const low = lowSources(rows);
    const lowPerFold = folds.map((f) => f.filter((s) => low.has(s)).length);
    expect(Math.max(...lowPerFold) - Math.min(...lowPerFold)).toBeLessThanOrEqual(1);
  });

  it('never trains a run on a source of the outer fold it serves, inner runs included', () => {
    const plan = nestedPlan(rows, 3, { outerFolds: 5, innerFolds: 3 });
    for (const job of plan.jobs) {
      const heldOut = new Set(plan.outer[job.outer]);
      expect(job.train.filter((s) => heldOut.has(s))).toEqual([]);
      expect(job.train.filter((s) => job.score.includes(s))).toEqual([]);
      if (job.inner !== null) expect(job.score.filter((s) => heldOut.has(s))).toEqual([]);
    }
    // Every outer fold has inner runs for every candidate, and one outer run per candidate.
    expect(plan.jobs.filter((j) => j.inner === null)).toHaveLength(5 * 3);
    expect(plan.jobs.filter((j) => j.inner !== null)).toHaveLength(5 * 3 * 3);
  });

  it('chooses each fold’s setting from inner runs only: better outer results for a setting change nothing', () => {
    const learner = memoriser();
    const plan = nestedPlan(rows, 2, { outerFolds: 5, innerFolds: 3 });
    const results = plan.jobs.map((j) =>
      learner.run(
        rows.filter((r) => j.train.includes(r.source)),
        rows.filter((r) => j.score.includes(r.source)),
        j.candidate,
      ),
    );
    const before = assembleNested(learner, rows, plan, results);
    // Make setting 1 look perfect on the outer folds only: what the old procedure would choose by.
    const rigged = results.map((r, i) => {
      const j = plan.jobs[i]!;
      if (j.inner !== null || j.candidate !== 1) return r;
      return { rows: r.rows.map((x) => ({ ...x, scores: scores(rows.find((y) => y.id === x.id)!.quality === 'high' ? 1000 : 0) })) };
    });
    const after = assembleNested(learner, rows, plan, rigged);
    expect(after.folds.map((f) => f.chosen)).toEqual(before.folds.map((f) => f.chosen));
    // The old way is taken in by it.
    expect(before.sameFolds).toBe(0);
    expect(after.sameFolds).toBe(1);
  });

  it('scores every conversation once, by a run that never trained on it, so memorising earns nothing', () => {
    const trainedOn: Set<string>[] = [];
    const outcome = runNested(memoriser(trainedOn), rows, { outerFolds: 5, innerFolds: 3 });
    expect(outcome.rows.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    // No conversation got the memorised answer (1000 or 0).
    expect(outcome.rows.filter((r) => r.scores.overallScore === 1000 || r.scores.overallScore === 0)).toEqual([]);
    // The honest setting wins every fold: inside, memorising looks like the guess it is.
    expect(outcome.folds.every((f) => f.chosen === 0)).toBe(true);
    expect(trainedOn.length).toBeGreaterThan(0);
  });

  it('resamples whole sources, keeping as many low-quality sources as there are', () => {
    const resamples = sourceResamples(rows, 50, 7);
    expect(sourceResamples(rows, 50, 7)).toEqual(resamples);
    const low = lowSources(rows);
    for (const pick of resamples) {
      const bySource = new Map<string, number>();
      for (const i of pick) bySource.set(rows[i]!.source, (bySource.get(rows[i]!.source) ?? 0) + 1);
      // A source drawn brings all its conversations.
      for (const [s, n] of bySource) expect(n % rows.filter((r) => r.source === s).length).toBe(0);
      let lowDraws = 0;
      for (const [s, n] of bySource) if (low.has(s)) lowDraws += n / rows.filter((r) => r.source === s).length;
      expect(lowDraws).toBe(low.size);
    }
  });
});
