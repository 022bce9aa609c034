import { SCORE_NAMES, type ScoreName } from '../../src/analysis/evaluate.js';
import type { Interval } from '../../src/analysis/validation/bootstrap.js';
import type { Summary } from './summary.js';

// The text of `npm run validate`: markdown tables, as src/analysis/README.md quotes them.

const LABEL: Record<ScoreName, string> = {
  overallScore: 'overall',
  communicationScore: 'communication',
  empathyScore: 'empathy',
  problemSolvingScore: 'problem solving',
};

const f2 = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(2));
const signed = (x: number) => (Number.isNaN(x) ? '–' : (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(2));
const ci = (i: Interval) => `${f2(i.estimate)} [${f2(i.low)}, ${f2(i.high)}]`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

function table(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function reportOf(s: Summary, run: { seconds: number; threads: number }): string {
  const out: string[] = [];
  const o = s.options;
  out.push(
    `${s.conversations} conversations (${s.high} high, ${s.low} low quality) from ${s.sources} sources; ` +
      `nested cross-validation: ${o.outerFolds} outer folds of whole sources (low-quality sources spread over them), ${o.innerFolds} inner folds ` +
      `inside each outer training set to choose settings; 95% intervals from ${s.resamples} bootstrap resamples of sources ` +
      `(${run.seconds.toFixed(0)} s on ${run.threads} threads)`,
  );

  out.push('\n## Nested estimate: AUC for high against low quality [95% interval]\n');
  out.push(
    table(
      ['analyzer', ...SCORE_NAMES.map((n) => LABEL[n]), 'settings chosen (outer folds)'],
      s.analyzers.map((a) => [
        a.analyzer,
        ...SCORE_NAMES.map((n) => ci(a.nested[n])),
        Object.entries(a.chosen)
          .map(([k, v]) => `${k} ×${v}`)
          .join('; '),
      ]),
    ),
  );

  out.push(
    `| experts' codes, scored as coach@2 (not an analyzer: perfect detectors) | ${SCORE_NAMES.map((n) => ci(s.ceiling[n])).join(' | ')} | nothing to fit |`,
  );

  out.push('\n## Old estimate beside the nested one, per score (old: leave one source out; whole set for an analyzer that fits nothing)\n');
  out.push(
    table(
      ['analyzer', ...SCORE_NAMES.map((n) => `${LABEL[n]}: old → nested`)],
      s.analyzers.map((a) => [a.analyzer, ...SCORE_NAMES.map((n) => `${f2(a.old[n])} → ${f2(a.nested[n].estimate)}`)]),
    ),
  );
  out.push(
    `\n## What a held-back set of ${s.heldBackSize.high} high and ${s.heldBackSize.low} low-quality conversations would likely show (95%: the estimate's uncertainty and the new set's)\n`,
  );
  out.push(
    table(
      ['analyzer', ...SCORE_NAMES.map((n) => LABEL[n])],
      s.analyzers.map((a) => [a.analyzer, ...SCORE_NAMES.map((n) => `${f2(a.heldBack[n].low)}–${f2(a.heldBack[n].high)}`)]),
    ),
  );

  const sel = s.selection;
  const nestedLearnt = s.analyzers.find((a) => a.analyzer === sel.analyzer)!;
  out.push(`\n## ${sel.analyzer}: the old estimate beside the nested one\n`);
  out.push(
    table(
      [
        'score',
        'old: leave one source out, setting chosen on those runs',
        `same outer folds, one setting chosen on them (${sel.sameFolds.setting})`,
        'nested',
        'best setting by this AUC on the same folds',
      ],
      SCORE_NAMES.map((n) => [
        LABEL[n],
        f2(sel.oldLeaveOneSourceOut[n]),
        f2(sel.sameFolds.auc[n]),
        f2(nestedLearnt.nested[n].estimate),
        f2(Math.max(...sel.perSetting.map((p) => p.auc[n]))),
      ]),
    ),
  );
  out.push(`\n${sel.analyzer}, each setting on the outer folds (criterion: mean correlation of the per-conversation MITI measures with the experts'):\n`);
  out.push(
    table(
      ['setting', 'criterion', ...SCORE_NAMES.map((n) => LABEL[n])],
      sel.perSetting.map((p) => [p.setting, f2(p.criterion), ...SCORE_NAMES.map((n) => f2(p.auc[n]))]),
    ),
  );

  out.push(`\n## Against the best nested estimate (${s.best}), paired on the same resamples\n`);
  out.push(
    table(
      ['analyzer', ...SCORE_NAMES.map((n) => `${LABEL[n]}: difference [95%] (resamples it wins)`)],
      s.againstBest.map((d) => [
        d.analyzer,
        ...SCORE_NAMES.map(
          (n) => `${signed(d.difference[n].estimate)} [${signed(d.difference[n].low)}, ${signed(d.difference[n].high)}] (${pct(d.difference[n].aWins)})`,
        ),
      ]),
    ),
  );

  const dup = s.duplicates;
  const dom = s.dominance;
  out.push('\n## Why an estimate could be optimistic: the checks\n');
  out.push(
    `- Near-duplicates across sources: the closest pair from different sources (${dup.closest.a}, ${dup.closest.b}) shares ${pct(dup.closest.containment)} of its word 4-grams; ` +
      `${dup.pairsOverHalf} pairs share half or more; ${dup.repeatedAcrossSources} of ${dup.longUtterances} practitioner utterances of six words or more are said word for word in another source.`,
  );
  out.push(
    `- Source weight: the biggest source holds ${pct(dom.biggest[0]!.turnShare)} of the turns (${dom.biggest[0]!.source}, ${dom.biggest[0]!.conversations} conversations), the five biggest ${pct(dom.topFiveShare)}; ` +
      `low-quality conversations (${dom.lowQualityConversations}) hold ${pct(dom.lowQualityTurnShare)} of the practitioner's turns.`,
  );
  for (const a of s.analyzers) {
    out.push(
      `- ${a.analyzer}, overall AUC with one source left out: ${f2(a.influence.min.auc)} (without ${a.influence.min.without}) to ${f2(a.influence.max.auc)} (without ${a.influence.max.without}).`,
    );
  }

  for (const a of s.analyzers.filter((x) => x.codes !== null)) {
    out.push(
      `\n## ${a.analyzer}: utterance detectors against the experts' codes (${a.analyzer === sel.analyzer ? 'nested: each fold coded by detectors that never saw it' : 'rules: nothing fitted'})\n`,
    );
    out.push(
      table(
        ['code', 'labelled', 'precision', 'recall'],
        Object.entries(a.codes!)
          .filter(([, c]) => c.labelled > 0 && !Number.isNaN(c.precision + c.recall))
          .map(([code, c]) => [code, String(c.labelled), f2(c.precision), f2(c.recall)]),
      ),
    );
  }
  for (const a of s.analyzers.filter((x) => x.measures !== null)) {
    out.push(`\n${a.analyzer}: per-conversation MITI measures against the same measures from the experts' codes:\n`);
    out.push(
      table(
        ['measure', 'correlation', 'mean absolute difference', 'conversations'],
        Object.entries(a.measures!).map(([m, x]) => [m, f2(x.correlation), f2(x.meanAbsoluteError), String(x.conversations)]),
      ),
    );
  }

  out.push(
    `\n## Default\n\nHighest nested overall AUC: ${s.best}. A fresh install serves ${s.defaultAnalyzer}` +
      (s.defaultAnalyzer === s.best
        ? '.'
        : ` — not the analyzer these figures choose: change src/analysis/defaultAnalyzer.ts, or say in src/analysis/README.md why not.`) +
      ' (Rule: the highest nested overall AUC; equal figures come from equal scores, and then the later version, which only adds to the other, wins.)',
  );
  return out.join('\n');
}
