import { describe, expect, it } from 'vitest';
import { coach } from '../../src/analysis/coach/index.js';
import { auc, aucStability, evaluateAnalyzer, leaveOneSourceOut } from '../../src/analysis/evaluate.js';
import type { Analyzer, Turn } from '../../src/analysis/types.js';

describe('auc', () => {
  it('counts the pairs a positive wins, by hand', () => {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both.
    expect(auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(3 / 4);
  });

  it('counts ties as half a win', () => {
    // Positive 1 ties negative 1 (½) and loses to 2; positive 3 beats both: 2.5 of 4 pairs.
    expect(auc([1, 1, 2, 3], [true, false, false, true])).toBe(2.5 / 4);
  });

  it('is 1 for perfect separation, 0 for perfect inversion, ½ when all tie', () => {
    expect(auc([3, 4, 1, 2], [true, true, false, false])).toBe(1);
    expect(auc([1, 2, 3, 4], [true, true, false, false])).toBe(0);
    expect(auc([5, 5, 5], [true, false, true])).toBe(0.5);
  });

  it('is NaN when one class is missing', () => {
    expect(auc([1, 2], [true, true])).toBeNaN();
  });

  it('reports leave-one-out and fold spread', () => {
    const s = aucStability([1, 2, 3, 4, 5, 6], [false, false, true, false, true, true], 2);
    expect(s.folds).toHaveLength(2);
    expect(s.leaveOneOut.min).toBeLessThanOrEqual(auc([1, 2, 3, 4, 5, 6], [false, false, true, false, true, true]));
    expect(s.leaveOneOut.max).toBe(1); // leaving out the 4 (the only negative above a positive)
  });
});

describe('evaluateAnalyzer', () => {
  const listening: Turn[] = [
    { role: 'assistant', content: 'I keep missing deadlines and my manager is upset with me.' },
    { role: 'user', content: 'It sounds like the deadlines are weighing on you. What gets in the way?' },
    { role: 'assistant', content: 'Too many meetings, honestly, I never get a quiet hour to work.' },
    { role: 'user', content: 'So the meetings eat the time you need for the real work.' },
    { role: 'assistant', content: 'Exactly. I want to block mornings for focus work and I will talk to my manager about it.' },
    { role: 'user', content: 'You want to protect your mornings. What would be a first step this week?' },
  ];
  const lecturing: Turn[] = [
    { role: 'assistant', content: 'I keep missing deadlines and my manager is upset with me.' },
    { role: 'user', content: 'You need to manage your time better. You should use a calendar and you have to say no to meetings.' },
    { role: 'assistant', content: 'I guess.' },
    { role: 'user', content: 'Do you use a calendar?' },
    { role: 'assistant', content: 'No.' },
  ];

  it('gives per-score AUC and means per label', () => {
    const e = evaluateAnalyzer(coach, [
      { transcript: listening, quality: 'high' },
      { transcript: lecturing, quality: 'low' },
    ]);
    expect(e.analyzer).toBe('coach@1');
    expect(e).toMatchObject({ rows: 2, high: 1, low: 1 });
    expect(e.auc.overallScore).toBe(1);
    expect(e.auc.empathyScore).toBe(1);
    expect(e.means.high.overallScore).toBeGreaterThan(e.means.low.overallScore);
  });
});

describe('leaveOneSourceOut', () => {
  // Six conversations from four sources; each "transcript" is one distinct turn.
  const rows = [
    { source: 'a', quality: 'high' as const },
    { source: 'a', quality: 'low' as const },
    { source: 'b', quality: 'high' as const },
    { source: 'c', quality: 'low' as const },
    { source: 'c', quality: 'high' as const },
    { source: 'd', quality: 'high' as const },
  ].map((r, i) => ({ ...r, transcript: [{ role: 'user', content: `conversation ${i}` }] }));

  /** An analyzer that has learnt its training rows by heart: right on those, 50 on anything else. */
  function memorise(training: typeof rows): Analyzer {
    const known = new Map(training.map((r) => [r.transcript[0]!.content, r.quality]));
    const at = (q: 'high' | 'low' | undefined) => (q === 'high' ? 100 : q === 'low' ? 0 : 50);
    return {
      name: 'memory',
      version: 1,
      description: 'test',
      analyze: ({ transcript }) => {
        const s = at(known.get(transcript[0]!.content));
        return {
          score: s,
          analysis: {
            strengths: [],
            areasForImprovement: [],
            keyInsights: [],
            communicationScore: s,
            empathyScore: s,
            problemSolvingScore: s,
            overallScore: s,
          },
        };
      },
    };
  }

  it('trains without one source at a time and scores only that source', () => {
    const calls: { training: string[]; scored: string[] }[] = [];
    leaveOneSourceOut(rows, (training) => {
      const call = { training: training.map((r) => r.source), scored: [] as string[] };
      calls.push(call);
      const inner = memorise(training);
      return {
        ...inner,
        analyze: (input) => (call.scored.push(rows.find((r) => r.transcript[0]!.content === input.transcript[0]!.content)!.source), inner.analyze(input)),
      };
    });
    expect(calls).toHaveLength(4);
    for (const { training, scored } of calls) {
      const held = scored[0]!;
      expect(new Set(scored)).toEqual(new Set([held]));
      expect(scored).toHaveLength(rows.filter((r) => r.source === held).length);
      expect(training).not.toContain(held);
      expect(training).toHaveLength(rows.length - scored.length);
    }
  });

  it('shows what a leak would hide: perfect in sample, chance held out', () => {
    expect(evaluateAnalyzer(memorise(rows), rows).auc.overallScore).toBe(1);
    const held = leaveOneSourceOut(rows, memorise);
    expect(held.auc.overallScore).toBe(0.5);
    expect(held).toMatchObject({ analyzer: 'memory@1', rows: 6, high: 4, low: 2 });
  });

  it('gives an analyzer that learns nothing its in-sample figures', () => {
    const fixed = evaluateAnalyzer(coach, rows);
    expect(leaveOneSourceOut(rows, () => coach).auc).toEqual(fixed.auc);
  });
});
