import { describe, expect, it } from 'vitest';
import type { AnnomiLabel, AnnomiRow } from '../../src/analysis/annomi.js';
import { tokenize } from '../../src/analysis/coach/tokenize.js';
import { codeConversation } from '../../src/analysis/coach2/conversation.js';
import { coach2, type Coach2Analysis } from '../../src/analysis/coach2/index.js';
import { measure } from '../../src/analysis/coach2/measures.js';
import { FeatureIndex, featureNames } from '../../src/analysis/coach2/features.js';
import { IntMap } from '../../src/analysis/coach2/intMap.js';
import { minimize } from '../../src/analysis/coach2/lbfgs.js';
import { classOf, Detectors, type DetectorWeights } from '../../src/analysis/coach2/model.js';
import { ANCHORS, anchored } from '../../src/analysis/coach2/scoring.js';
import { serializeWeights, trainDetectors } from '../../src/analysis/coach2/train.js';
import { walk } from '../../src/analysis/coach2/walk.js';
import shipped from '../../src/analysis/coach2/weights.json' with { type: 'json' };
import { DEFAULT_ANALYZER, findAnalyzer } from '../../src/analysis/registry.js';
import type { Turn } from '../../src/analysis/types.js';

// coach@2 without the development set: its parts (features, optimiser, training, anchors) on
// small inputs made here, and the shipped analyzer on conversations written for the test.

const detectors = new Detectors(shipped as unknown as DetectorWeights);

function analyze(transcript: Turn[], rubric?: unknown): Coach2Analysis {
  return coach2.analyze({ transcript, context: rubric === undefined ? undefined : { rubric } }).analysis as Coach2Analysis;
}

const listening: Turn[] = [
  { role: 'assistant', content: 'Honestly I am exhausted, the new project keeps me at work until nine every night and my family barely sees me.' },
  { role: 'user', content: "It sounds like the late nights are wearing you down and you're worried about your family." },
  { role: 'assistant', content: 'Yes. I keep thinking I should talk to my lead about the deadline, but I am scared she will think I cannot cope.' },
  { role: 'user', content: 'So part of you wants to speak up, and part of you is afraid of how it will look.' },
  { role: 'assistant', content: 'Exactly. I want to do good work, I just cannot keep going like this.' },
  { role: 'user', content: 'You care a lot about doing the job well. What would you like to say to her?' },
  { role: 'assistant', content: 'That I need another week, and that I will bring a plan for the rest of the work.' },
  { role: 'user', content: 'You have a clear idea of what you need and how to make it work for both of you.' },
  { role: 'assistant', content: 'I think I can do that tomorrow morning. I am going to ask for a meeting.' },
  { role: 'user', content: 'How are you feeling about that plan now?' },
];
const lecturing: Turn[] = [
  { role: 'assistant', content: 'Honestly I am exhausted, the new project keeps me at work until nine every night.' },
  {
    role: 'user',
    content:
      'Well, everyone works late sometimes. You need to be more efficient. You should prioritise better and you have to stop checking email all day, because that is what kills productivity.',
  },
  { role: 'assistant', content: "I don't think that is the problem." },
  { role: 'user', content: 'Do you make a to-do list?' },
  { role: 'assistant', content: 'No.' },
  { role: 'user', content: 'Are you checking email at night?' },
  { role: 'assistant', content: 'Sometimes.' },
  { role: 'user', content: 'Have you talked to your lead? You should just tell her you need more time.' },
  { role: 'assistant', content: "It's not that simple, she would never agree." },
  { role: 'user', content: 'Did you try?' },
];

describe('coach2 features', () => {
  it('finds by number exactly the named features the index knows', () => {
    const texts = [
      'So you feel stuck. What would help?',
      'Do you drink every day',
      "It's hard, isn't it? Yes... maybe!",
      'Tell me more about 3.5 days',
      '你好，你觉得怎么样？',
      '',
    ];
    const contexts = [
      { echoed: 0, afterQuestion: false },
      { echoed: 3, afterQuestion: true },
      { echoed: 9, afterQuestion: false },
    ];
    // The vocabulary: every other name the texts produce, so some n-grams are known and some not.
    const all = [...new Set(texts.flatMap((t) => contexts.flatMap((c) => featureNames(tokenize(t), c))))].sort();
    const known = all.filter((_, i) => i % 2 === 0);
    const index = new FeatureIndex(known);
    for (const t of texts) {
      for (const c of contexts) {
        const tokens = tokenize(t);
        const out = new Int32Array(FeatureIndex.capacity(tokens));
        const n = index.extract(tokens, c, out);
        const byNumber = [...out.subarray(0, n)].map((id) => known[id]!).sort();
        const byName = featureNames(tokens, c)
          .filter((name) => known.includes(name))
          .sort();
        expect(byNumber).toEqual(byName);
      }
    }
  });

  it('names words and word pairs within a sentence, sentence starts and ends, length, echo and answering', () => {
    const names = featureNames(tokenize('So you feel stuck? Okay.'), { echoed: 2, afterQuestion: true });
    expect(names).toEqual(expect.arrayContaining(['so', '<s> so', 'so you', 'stuck ?', 'okay </s>', '<s> okay', '#len=2', '#echo=2', '#afterq']));
    expect(names).not.toContain('so you feel');
    // No phrase runs across the sentence end.
    expect(names).not.toContain('stuck okay');
    expect(names).not.toContain('? <s>');
  });

  it('IntMap answers what it was built with and -1 for anything else', () => {
    const entries: [number, number][] = Array.from({ length: 5000 }, (_, i) => [i * 7919, i]);
    const map = new IntMap(entries, entries.length);
    for (const [k, v] of entries) expect(map.get(k)).toBe(v);
    expect(map.get(1)).toBe(-1);
    expect(map.get(7919 * 5000)).toBe(-1);
    expect(() => new IntMap([[-1, 0]], 1)).toThrow(/out of range/);
  });
});

describe('coach2 training', () => {
  it('L-BFGS finds the minimum of a convex function', () => {
    // f(x) = Σ (i+1)(x_i − i)² + log(1 + e^{x_0}), minimum near x_i = i.
    const f = (x: Float64Array, g: Float64Array) => {
      let v = Math.log1p(Math.exp(x[0]!));
      for (let i = 0; i < x.length; i++) {
        v += (i + 1) * (x[i]! - i) ** 2;
        g[i] = 2 * (i + 1) * (x[i]! - i);
      }
      g[0]! += 1 / (1 + Math.exp(-x[0]!));
      return v;
    };
    const { x } = minimize(f, new Float64Array(20), { maxIterations: 200, gradientTolerance: 1e-9 });
    for (let i = 1; i < 20; i++) expect(x[i]).toBeCloseTo(i, 6);
    expect(2 * x[0]! + 1 / (1 + Math.exp(-x[0]!))).toBeCloseTo(0, 6);
  });

  // A made-up set in AnnoMI's shape: questions end with "?", reflections open with "so you",
  // the counterpart's change talk says "i want".
  const label = (behaviour: AnnomiLabel['behaviour'], extra: Partial<AnnomiLabel> = {}): AnnomiLabel => ({
    behaviour,
    client_talk: 'n/a',
    reflection: null,
    question: null,
    input: null,
    ...extra,
  });
  const client = (talk: string): AnnomiLabel => ({ behaviour: 'n/a', client_talk: talk });
  const rows: AnnomiRow[] = Array.from({ length: 6 }, (_, r) => ({
    id: `made-${r}`,
    source: `source-${r % 3}`,
    topic: 'test',
    quality: r % 2 === 0 ? 'high' : 'low',
    transcript: [
      { role: 'user', content: `What brings you here on day ${r}?` },
      { role: 'assistant', content: r % 2 === 0 ? 'I want to stop smoking.' : 'It is not a problem for me.' },
      { role: 'user', content: `So you feel ready to look at it ${r}.` },
      { role: 'assistant', content: 'Maybe.' },
      { role: 'user', content: 'You should use a patch.' },
    ],
    labels: [
      label('question', { question: 'open' }),
      client(r % 2 === 0 ? 'change' : 'sustain'),
      label('reflection', { reflection: 'simple' }),
      client('neutral'),
      label('therapist_input', { input: 'advice' }),
    ],
  }));

  it('gives the same weights, byte for byte, every time', () => {
    const a = serializeWeights(trainDetectors(rows));
    const b = serializeWeights(trainDetectors(structuredClone(rows)));
    expect(a).toBe(b);
    expect(JSON.parse(a).trainedOn).toEqual({ conversations: 6, sources: 3, turns: { user: 18, counterpart: 12 } });
  });

  it('learns the codes it is shown', () => {
    const detectors = new Detectors(trainDetectors(rows, { minCount: 2, l2: 0.1, maxIterations: 300, gradientTolerance: 1e-6, decimals: 3 }));
    const user = new Float64Array(detectors.user.probabilityCount);
    const turns = walk([
      { role: 'user', content: 'What brings you here today?' },
      { role: 'assistant', content: 'I want to quit.' },
      { role: 'user', content: 'You should use a patch.' },
    ]);
    detectors.user.detect(turns[0]!.tokens, turns[0]!.context, user);
    expect(classOf(user, 'question')).toBe(1); // open
    expect(classOf(user, 'reflection')).toBe(0);
    detectors.user.detect(turns[2]!.tokens, turns[2]!.context, user);
    expect(classOf(user, 'input')).toBe(2); // advice
    const counterpart = new Float64Array(detectors.counterpart.probabilityCount);
    detectors.counterpart.detect(turns[1]!.tokens, turns[1]!.context, counterpart);
    expect(classOf(counterpart, 'talk')).toBe(1); // change
  });

  it('refuses weights of another format or shape', () => {
    const w = structuredClone(shipped) as unknown as DetectorWeights;
    expect(() => new Detectors({ ...w, format: 'other' as DetectorWeights['format'] })).toThrow(/unknown format/);
    w.sides.user.families.reflection!.bias = [0];
    expect(() => new Detectors(w)).toThrow(/wrong shape/);
  });
});

describe('coach2 scores', () => {
  it('anchors each component at MITI thresholds: half at fair, full at good', () => {
    const rq = ANCHORS.reflectionToQuestionRatio;
    expect([anchored(0, rq), anchored(0.5, rq), anchored(1, rq), anchored(1.5, rq), anchored(2, rq), anchored(5, rq)]).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    expect(anchored(0.4, ANCHORS.complexReflectionShare)).toBe(0.5);
    expect(anchored(0.7, ANCHORS.openQuestionShare)).toBe(1);
    // Talk share should stay low: full at half the words, nothing at 80%.
    const talk = ANCHORS.talkShare;
    expect([anchored(0.3, talk), anchored(0.5, talk), anchored(0.65, talk), anchored(0.8, talk), anchored(0.95, talk)]).toEqual([1, 1, 0.5, 0, 0]);
    expect(anchored(Number.NaN, rq)).toBe(0);
  });

  it('scores listening above lecturing, on every score', () => {
    const good = analyze(listening);
    const poor = analyze(lecturing);
    for (const k of ['overallScore', 'empathyScore', 'communicationScore', 'problemSolvingScore'] as const) expect(good[k]).toBeGreaterThan(poor[k]);
    expect(good.metrics.reflectionToQuestionRatio!).toBeGreaterThan(poor.metrics.reflectionToQuestionRatio!);
    expect(poor.metrics.unsolicitedAdvice!).toBeGreaterThan(good.metrics.unsolicitedAdvice!);
  });

  it('gives nothing to a person who never spoke, and says so', () => {
    const a = analyze([{ role: 'assistant', content: 'Hello? Are you there?' }]);
    expect([a.overallScore, a.empathyScore, a.communicationScore, a.problemSolvingScore]).toEqual([0, 0, 0, 0]);
    expect(a.areasForImprovement[0]).toMatch(/did not speak/);
  });

  it('counts advice after asking permission, or when asked for it, as permitted', () => {
    // The rule on its own: the advice turn's probability is set by hand, the rest is detected.
    const withAdvice = (transcript: Turn[]) => {
      const turns = codeConversation(transcript, detectors);
      const last = turns[turns.length - 1]!.user!;
      last.advice = 0.9;
      return measure(turns);
    };
    const permitted = withAdvice([
      { role: 'assistant', content: 'I keep missing my deadlines.' },
      { role: 'user', content: 'Would it be okay if I shared something that has worked for others?' },
      { role: 'assistant', content: 'Sure.' },
      { role: 'user', content: 'You could try blocking two hours every morning for focused work.' },
    ]);
    expect(permitted.adviceWithPermission!).toBeGreaterThanOrEqual(0.9);
    const asked = withAdvice([
      { role: 'assistant', content: 'What should I do about my deadlines?' },
      { role: 'user', content: 'You could try blocking two hours every morning for focused work.' },
    ]);
    expect(asked.unsolicitedAdvice!).toBeLessThan(0.1);
    const unasked = withAdvice([
      { role: 'assistant', content: 'I keep missing my deadlines.' },
      { role: 'user', content: 'You could try blocking two hours every morning for focused work.' },
    ]);
    expect(unasked.unsolicitedAdvice!).toBeGreaterThanOrEqual(0.9);
    expect(unasked.miAdherence!).toBeLessThan(permitted.miAdherence!);
  });
});

describe('coach2 feedback', () => {
  it('backs every strength and area with the person’s own words from user turns', () => {
    for (const transcript of [listening, lecturing]) {
      const a = analyze(transcript);
      expect(a.strengths.length + a.areasForImprovement.length).toBeGreaterThan(0);
      expect(a.evidence.strengths).toHaveLength(a.strengths.length);
      expect(a.evidence.areasForImprovement).toHaveLength(a.areasForImprovement.length);
      for (const quotes of [...a.evidence.strengths, ...a.evidence.areasForImprovement]) {
        expect(quotes.length).toBeGreaterThan(0);
        for (const q of quotes) {
          expect(transcript[q.turn]!.role).toBe('user');
          expect(transcript[q.turn]!.content).toContain(q.quote.replace(/…$/, ''));
        }
      }
    }
    expect(analyze(listening).strengths.join(' ')).toMatch(/reflect/i);
    expect(analyze(lecturing).areasForImprovement.join(' ')).toMatch(/advice|reflect/i);
  });

  it('quotes where the counterpart opened up and where they pushed back, in their words', () => {
    const s = analyze(listening).counterpartSentiment;
    expect(s.openedUp.length).toBeGreaterThan(0);
    for (const q of s.openedUp) expect(listening[q.turn]!.role).toBe('assistant');
    const p = analyze(lecturing).counterpartSentiment;
    expect(p.pushedBack.length).toBeGreaterThan(0);
    for (const q of p.pushedBack) {
      expect(lecturing[q.turn]!.role).toBe('assistant');
      expect(lecturing[q.turn]!.content).toContain(q.quote.replace(/…$/, ''));
    }
  });

  it('applies a scenario rubric on the metrics it shares with coach@1', () => {
    const rubric = {
      weight: 0.5,
      criteria: [
        { name: 'Lets them talk', check: { kind: 'metric', metric: 'talkShare', max: 0.5 } },
        { name: 'Fillers', check: { kind: 'metric', metric: 'fillersPer100Words', max: 2 } },
      ],
    };
    const a = analyze(listening, rubric);
    expect(a.rubric).toMatchObject({ status: 'applied', score: 100 });
    // coach@2 does not count fillers: that criterion is not measured rather than failed.
    expect((a.rubric as { criteria: { passed: boolean | null }[] }).criteria.map((c) => c.passed)).toEqual([true, null]);
    expect(analyze(listening, { criteria: [] }).rubric).toMatchObject({ status: 'invalid' });
  });

  it('is registered as coach@2; a fresh database does not serve it', () => {
    expect(findAnalyzer('coach@2')).toBe(coach2);
    // coach@2's nested estimate is below coach@1's on unseen conversations (src/analysis/README.md).
    expect(DEFAULT_ANALYZER).not.toBe('coach@2');
  });
});
