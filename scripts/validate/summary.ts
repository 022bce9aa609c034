import type { AnnomiRow } from '../../src/analysis/annomi.js';
import type { CodeAgreement, CodeName } from '../../src/analysis/coach2/agreement.js';
import { AGREED_MEASURES, expertMeasures } from '../../src/analysis/coach2/expert.js';
import { SCORE_NAMES, type ScoreName } from '../../src/analysis/evaluate.js';
import { agreementOf, type MeasureAgreement } from '../../src/analysis/validation/agreement.js';
import type { Interval } from '../../src/analysis/validation/bootstrap.js';
import { dominance, dropOneSource, type DominanceReport, type Influence } from '../../src/analysis/validation/dominance.js';
import { nearDuplicates, type DuplicateReport } from '../../src/analysis/validation/duplicates.js';
import { codeFigures, differences, figuresFor, heldBackIntervals, intervals, plainAucs, type ScoreIntervals } from '../../src/analysis/validation/figures.js';
import type { NestedOutcome } from '../../src/analysis/validation/nested.js';
import type { NestedOptions } from '../../src/analysis/validation/plan.js';

// Every figure `npm run validate` prints, as data (`--json` prints this object).

export interface AnalyzerSummary {
  analyzer: string;
  /** The nested estimate of each score's AUC, with its 95% interval. */
  nested: ScoreIntervals;
  /** What the old procedure reported (leave one source out; for an analyzer that fits nothing, the whole set). */
  old: Record<ScoreName, number>;
  /** Where the AUC on a held-back set of the given size would likely fall (95%). */
  heldBack: ScoreIntervals;
  /** How often each setting was chosen over the outer folds (one entry for analyzers that fit nothing). */
  chosen: Record<string, number>;
  /** Lowest and highest overall AUC with one source left out. */
  influence: Influence;
  codes: Record<CodeName, CodeAgreement> | null;
  measures: Record<string, MeasureAgreement> | null;
}

export interface SelectionFigures {
  analyzer: string;
  /** The old procedure: leave one source out with the shipped setting, chosen on those same runs. */
  oldLeaveOneSourceOut: Record<ScoreName, number>;
  /** The nested procedure's outer folds, but one setting chosen by the criterion on them. */
  sameFolds: { setting: string; auc: Record<ScoreName, number> };
  /** Each setting on the outer folds: its criterion and its AUCs. */
  perSetting: { setting: string; criterion: number; auc: Record<ScoreName, number> }[];
}

export interface Summary {
  conversations: number;
  high: number;
  low: number;
  sources: number;
  options: NestedOptions;
  resamples: number;
  analyzers: AnalyzerSummary[];
  /** coach@2's scoring of the experts' own codes: what perfect detectors would give it. */
  ceiling: ScoreIntervals;
  heldBackSize: { high: number; low: number };
  selection: SelectionFigures;
  /** Each analyzer against the best by the nested overall estimate, on the same resamples. */
  againstBest: { analyzer: string; best: string; difference: Record<ScoreName, Interval & { aWins: number }> }[];
  duplicates: DuplicateReport;
  dominance: DominanceReport;
  /** The analyzer with the highest nested overall AUC, and what this build serves a fresh install. */
  best: string;
  defaultAnalyzer: string;
}

/**
 * The rule for the default: the highest nested overall AUC. Equal figures come from equal scores
 * (coach@3 scores exactly as coach@1), and then the later version of the analyzer wins, as it
 * only adds to the other's output.
 */
function preferred(b: AnalyzerSummary, a: AnalyzerSummary): boolean {
  const [x, y] = [b.nested.overallScore.estimate, a.nested.overallScore.estimate];
  if (x !== y) return x > y;
  const [bName, bVersion] = b.analyzer.split('@');
  const [aName, aVersion] = a.analyzer.split('@');
  return bName === aName && Number(bVersion) > Number(aVersion);
}

function chosenCounts(o: NestedOutcome): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of o.folds) {
    const name = o.candidates[f.chosen]!.setting;
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

export function summarise(input: {
  rows: AnnomiRow[];
  nested: NestedOutcome[];
  old: NestedOutcome;
  ceiling: NestedOutcome;
  heldBack: { high: number; low: number };
  options: NestedOptions;
  defaultAnalyzer: string;
}): Summary {
  const { rows, nested, old } = input;
  const f = figuresFor(rows);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const analyzers = nested.map((o): AnalyzerSummary => {
    const hasCodes = Object.keys(o.codes).length > 0;
    const hasMeasures = o.rows.some((r) => r.measures !== undefined);
    const expert = o.rows.map((r) => expertMeasures(byId.get(r.id)!));
    const measured = AGREED_MEASURES.filter((n) => o.rows.some((r) => r.measures?.[n] !== undefined));
    return {
      analyzer: o.analyzer,
      nested: intervals(f, o.rows),
      old: plainAucs(f, o.candidates.length > 1 ? old.rows : o.rows),
      heldBack: heldBackIntervals(f, o.rows, input.heldBack),
      chosen: chosenCounts(o),
      influence: dropOneSource(rows, f.aligned(o.rows, 'overallScore')),
      codes: hasCodes ? codeFigures(o.codes) : null,
      measures: hasMeasures
        ? Object.fromEntries(
            measured.map((n) => [
              n,
              agreementOf(
                o.rows.map((r) => r.measures ?? {}),
                expert,
                n,
              ),
            ]),
          )
        : null,
    };
  });
  const best = analyzers.reduce((a, b) => (preferred(b, a) ? b : a)).analyzer;
  const bestRows = nested.find((o) => o.analyzer === best)!.rows;
  const learnt = nested.find((o) => o.candidates.length > 1)!;
  return {
    conversations: rows.length,
    high: f.positives.filter(Boolean).length,
    low: f.positives.filter((p) => !p).length,
    sources: new Set(rows.map((r) => r.source)).size,
    options: input.options,
    resamples: f.resamples.length,
    analyzers,
    ceiling: intervals(f, input.ceiling.rows),
    heldBackSize: input.heldBack,
    selection: {
      analyzer: learnt.analyzer,
      oldLeaveOneSourceOut: plainAucs(f, old.rows),
      sameFolds: { setting: learnt.candidates[learnt.sameFolds]!.setting, auc: plainAucs(f, learnt.candidates[learnt.sameFolds]!.rows) },
      perSetting: learnt.candidates.map((c) => ({ setting: c.setting, criterion: c.criterion, auc: plainAucs(f, c.rows) })),
    },
    againstBest: nested.filter((o) => o.analyzer !== best).map((o) => ({ analyzer: o.analyzer, best, difference: differences(f, o.rows, bestRows) })),
    duplicates: nearDuplicates(rows),
    dominance: dominance(rows),
    best,
    defaultAnalyzer: input.defaultAnalyzer,
  };
}

export { SCORE_NAMES };
