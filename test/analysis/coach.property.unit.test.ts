import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coach, type CoachAnalysis } from '../../src/analysis/coach/index.js';
import { coach2, type Coach2Analysis } from '../../src/analysis/coach2/index.js';
import { coach3, type Coach3Analysis } from '../../src/analysis/coach3/index.js';
import { SKILL_WEIGHTS } from '../../src/analysis/coach/scoring.js';
import { analyzerId, type AnalysisInput, type Analyzer, type EvidenceQuote } from '../../src/analysis/types.js';

// Any transcript, however broken, yields a valid analysis from coach@1, coach@2 and coach@3; the
// same input always yields the same analysis; coach@3 scores exactly as coach@1. Generated inputs mix real cue phrases (so the detectors fire) with noise.

const phrases = [
  'It sounds like you feel stuck',
  'What brings you here?',
  'Do you drink every day?',
  'You should stop',
  'Tell me more',
  'mm-hmm',
  'I want to change',
  "I can't do that",
  'So you are worried?',
  "Let's plan the next step",
  'Research shows the risk',
  'um, uh, like, you know',
  'Good for you',
  'Would it be okay if I shared an idea?',
];
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc
    .array(fc.constantFrom(...phrases, '😀', '🙏🏽', 'こんにちは', 'مرحبا', 'Привет', '你觉得怎么样？', '\n', '?', '...', '—'), { maxLength: 30 })
    .map((p) => p.join(' ')),
);
const content = fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: fc.anything() });
const role = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('user', 'assistant', 'system') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('replica', 'human', 'User', ''), fc.string(), fc.anything()) },
);
const timestamp = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.double(),
  fc.string(),
);
const turn = fc.record({ role, content, timestamp, secondsFromStart: fc.option(fc.double(), { nil: undefined }) }, { requiredKeys: ['role', 'content'] });
const transcript = fc.oneof(
  { weight: 8, arbitrary: fc.array(turn, { maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(turn, fc.anything()), { maxLength: 10 }) },
);
const rubric = fc.oneof(
  fc.constant(undefined),
  fc.anything(),
  fc.record({
    criteria: fc.array(
      fc.record({
        name: fc.string(),
        weight: fc.oneof(fc.double(), fc.integer({ min: 1, max: 5 })),
        check: fc.oneof(
          fc.record({
            kind: fc.constant('metric'),
            metric: fc.constantFrom('talkShare', 'openQuestions', 'responseSeconds', 'nope'),
            min: fc.double({ noNaN: true, min: -1, max: 5 }),
          }),
          fc.record({ kind: fc.constantFrom('hear', 'avoid'), phrases: fc.array(fc.oneof(fc.constantFrom(...phrases), fc.string()), { maxLength: 3 }) }),
        ),
        affects: fc.subarray(['communicationScore', 'empathyScore', 'problemSolvingScore']),
      }),
      { maxLength: 4 },
    ),
  }),
);
const input: fc.Arbitrary<AnalysisInput> = fc.record({
  transcript,
  durationSeconds: fc.oneof(fc.constant(undefined), fc.constant(null), fc.double()),
  context: fc.option(fc.record({ name: fc.string(), rubric }), { nil: undefined }),
}) as fc.Arbitrary<AnalysisInput>;

function normalise(s: string): string {
  return s.replace(/\s+/g, ' ');
}

/** Each quote is a sentence of the `role` turn it points at. */
function assertQuotes(inp: AnalysisInput, quotes: readonly EvidenceQuote[], role: string): void {
  for (const q of quotes) {
    const t = (inp.transcript as unknown[])[q.turn] as { role: unknown; content: unknown };
    expect(t.role).toBe(role);
    expect(q.quote.length).toBeLessThanOrEqual(181);
    expect(normalise(String(t.content))).toContain(q.quote.replace(/…$/, ''));
  }
}

/** Every skill lists each of its components once; quotes are the speaker's own words; MITI figures are numbers or null. */
function assertScoreEvidence(inp: AnalysisInput, a: Coach3Analysis): void {
  for (const [skill, parts] of Object.entries(SKILL_WEIGHTS)) {
    const listed = a.evidence.scores[skill as keyof typeof SKILL_WEIGHTS];
    expect(listed.map((c) => c.component).sort()).toEqual(parts.map(([name]) => name).sort());
    for (const c of listed) {
      expect(c.value).toBeGreaterThanOrEqual(0);
      expect(c.value).toBeLessThanOrEqual(1);
      if (c.effect === 'neutral') expect(c.quotes).toEqual([]);
      // A component that moved the score either quotes what moved it or says what did.
      else if (c.quotes.length === 0) expect(typeof c.note).toBe('string');
      assertQuotes(
        inp,
        c.quotes.filter((q) => q.speaker === 'user'),
        'user',
      );
      assertQuotes(
        inp,
        c.quotes.filter((q) => q.speaker === 'counterpart'),
        'assistant',
      );
    }
  }
  const m = a.miti;
  for (const v of [m.reflectionToQuestionRatio, m.complexReflectionShare, m.openQuestionShare]) expect(v === null || Number.isFinite(v)).toBe(true);
  expect(m.simpleReflections + m.complexReflections).toBe(m.reflections);
  expect(m.openQuestions + m.closedQuestions).toBe(m.questions);
}

function assertValid(analyzer: Analyzer, inp: AnalysisInput): void {
  const result = analyzer.analyze(inp);
  const a = result.analysis as CoachAnalysis | Coach2Analysis;
  expect(a.failed).toBeUndefined();
  for (const s of [result.score, a.overallScore, a.communicationScore, a.empathyScore, a.problemSolvingScore]) {
    expect(Number.isInteger(s)).toBe(true);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThanOrEqual(100);
  }
  expect(result.score).toBe(a.overallScore);
  for (const list of [a.strengths, a.areasForImprovement, a.keyInsights]) {
    expect(Array.isArray(list)).toBe(true);
    for (const s of list) expect(typeof s).toBe('string');
  }
  expect(a.evidence.strengths).toHaveLength(a.strengths.length);
  expect(a.evidence.areasForImprovement).toHaveLength(a.areasForImprovement.length);
  for (const quotes of [...a.evidence.strengths, ...a.evidence.areasForImprovement]) assertQuotes(inp, quotes, 'user');
  if (analyzerId(analyzer) === 'coach@2') {
    const { openedUp, pushedBack } = (a as Coach2Analysis).counterpartSentiment;
    assertQuotes(inp, openedUp, 'assistant');
    assertQuotes(inp, pushedBack, 'assistant');
  }
  if (analyzerId(analyzer) === 'coach@3') assertScoreEvidence(inp, a as Coach3Analysis);
  for (const v of Object.values(a.metrics)) expect(v === null || Number.isFinite(v)).toBe(true);
  // Everything stored must survive JSON as it is.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
}

describe.each([coach, coach2, coach3])('$name@$version properties', (analyzer) => {
  it('gives a valid analysis for any transcript and never throws', () => {
    fc.assert(
      fc.property(input, (inp) => assertValid(analyzer, inp)),
      { numRuns: 400 },
    );
  });

  it('is pure: the same input gives a deeply equal output and is not modified', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const copy = structuredClone(inp);
        const first = analyzer.analyze(inp);
        expect(inp).toEqual(copy);
        expect(analyzer.analyze(copy)).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });

  it('ignores system turns and roles it does not know when scoring', () => {
    const spoken = fc.array(fc.record({ role: fc.constantFrom('user', 'assistant'), content: text }), { maxLength: 20 });
    fc.assert(
      fc.property(spoken, fc.nat(20), fc.constantFrom('system', 'replica', 'moderator'), (turns, at, other) => {
        const withOther = [...turns.slice(0, at), { role: other, content: 'Ignore all of this. You should, you must.' }, ...turns.slice(at)];
        const a = analyzer.analyze({ transcript: turns }).analysis;
        const b = analyzer.analyze({ transcript: withOther }).analysis;
        for (const k of ['overallScore', 'communicationScore', 'empathyScore', 'problemSolvingScore', 'strengths', 'areasForImprovement'] as const) {
          expect(b[k]).toEqual(a[k]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('handles the awkward cases by name', () => {
    const words = Array.from({ length: 50_000 }, (_, i) => (i % 17 === 0 ? 'you should really think about it.' : 'word')).join(' ');
    const cases: AnalysisInput[] = [
      { transcript: [] },
      { transcript: [{ role: 'user', content: words }] },
      {
        transcript: [
          { role: 'assistant', content: 'only the replica speaks' },
          { role: 'assistant', content: '🙂🙂🙂' },
        ],
      },
      {
        transcript: [
          { role: 'user', content: '你好，你觉得怎么样？' },
          { role: 'assistant', content: 'Привет! Всё хорошо.' },
        ],
      },
      {
        transcript: [
          { role: 'user', content: 42 as unknown as string, timestamp: 1700000000 },
          { role: 'assistant', content: { text: 'hi' } as unknown as string, timestamp: 'garbage' },
        ],
      },
      { transcript: null as unknown as [] },
      { transcript: [null, 7, 'text'] as unknown as [] },
    ];
    for (const c of cases) assertValid(analyzer, c);
    // A payload hostile enough to throw on being read still yields a (reported) analysis.
    const hostile = {
      get role(): string {
        throw new Error('boom');
      },
      content: '',
    };
    const failed = analyzer.analyze({ transcript: [hostile] });
    expect(failed.score).toBe(0);
    expect(failed.analysis.failed).toBe('boom');
    const big = analyzer.analyze(cases[1]!).analysis as CoachAnalysis | Coach2Analysis;
    expect(big.metrics.userWords).toBeGreaterThan(50_000);
    // coach@1 codes the one turn as advice; coach@2 counts it in part, as a probability.
    if (analyzerId(analyzer) === 'coach@2') expect(big.metrics.adviceGiven).toBeLessThanOrEqual(1);
    else expect(big.metrics.adviceGiven).toBe(1);
  });
});

describe('coach@3 against coach@1', () => {
  it('scores, finds and quotes exactly as coach@1 for any input, and only adds to it', () => {
    fc.assert(
      fc.property(input, (inp) => {
        const one = coach.analyze(inp);
        const three = coach3.analyze(inp);
        expect(three.score).toBe(one.score);
        const { miti, evidence, keyInsights, ...rest } = three.analysis as Coach3Analysis;
        const { evidence: evidence1, keyInsights: insights1, ...rest1 } = one.analysis as CoachAnalysis;
        expect(rest).toEqual(rest1);
        expect({ strengths: evidence.strengths, areasForImprovement: evidence.areasForImprovement }).toEqual(evidence1);
        // Its insights are coach@1's with the MITI line added.
        expect(keyInsights.filter((line) => !line.startsWith('MITI counts:'))).toEqual(insights1);
        expect(miti).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
