import { describe, expect, it } from 'vitest';
import { coach } from '../../src/analysis/coach/index.js';
import { coach3, type Coach3Analysis } from '../../src/analysis/coach3/index.js';
import { levelOf, MITI_THRESHOLDS } from '../../src/analysis/miti/thresholds.js';
import { findAnalyzer } from '../../src/analysis/registry.js';
import type { Turn } from '../../src/analysis/types.js';

// coach@3 on conversations written for the purpose: MITI's counts from its utterance codes, the
// depth of a reflection read by the manual's definitions, and each skill score explained by the
// utterances that raised or lowered it.

const transcript: Turn[] = [
  { role: 'user', content: 'What brings you in today?' },
  { role: 'assistant', content: 'My doctor says I drink too much. I like a few beers after work, it helps me relax, but my wife is upset about it.' },
  { role: 'user', content: 'So you drink a few beers after work.' },
  { role: 'assistant', content: "Yeah. I don't think it's a big deal, honestly." },
  { role: 'user', content: "Part of you enjoys how it helps you unwind, and at the same time you're noticing it is hurting your marriage." },
  { role: 'assistant', content: 'I guess I want to cut down. I could try only weekends.' },
  { role: 'user', content: 'Do you think you could start this week?' },
  { role: 'assistant', content: 'Maybe. I will try.' },
];
const analysis = () => coach3.analyze({ transcript }).analysis as Coach3Analysis;

describe('coach@3', () => {
  it('is registered beside coach@1 and scores as it does', () => {
    expect(findAnalyzer('coach@3')).toBe(coach3);
    const a = analysis();
    const one = coach.analyze({ transcript }).analysis;
    for (const k of ['overallScore', 'communicationScore', 'empathyScore', 'problemSolvingScore'] as const) expect(a[k]).toBe(one[k]);
  });

  it("counts MITI's questions and reflections per utterance, telling a restatement from a two-sided reflection", () => {
    const { miti } = analysis();
    expect(miti).toMatchObject({
      questions: 2,
      openQuestions: 1,
      closedQuestions: 1,
      reflections: 2,
      simpleReflections: 1,
      complexReflections: 1,
      reflectionToQuestionRatio: 1,
      complexReflectionShare: 0.5,
      openQuestionShare: 0.5,
      levels: { reflectionToQuestionRatio: 'fair', complexReflectionShare: 'good', openQuestionShare: 'fair' },
    });
    expect(analysis().keyInsights).toContain(
      'MITI counts: 2 reflections (1 complex) to 2 questions (1 open); R:Q 1.0 (fair; MITI: 1 fair, 2 good), open questions 50% (fair; 50% fair, 70% good), complex reflections 50% (good; 40% fair, 50% good).',
    );
  });

  it('reads levels against the manual’s thresholds', () => {
    expect(levelOf(2, MITI_THRESHOLDS.reflectionToQuestionRatio)).toBe('good');
    expect(levelOf(1.99, MITI_THRESHOLDS.reflectionToQuestionRatio)).toBe('fair');
    expect(levelOf(0.99, MITI_THRESHOLDS.reflectionToQuestionRatio)).toBe('below fair');
    expect(levelOf(null, MITI_THRESHOLDS.openQuestionShare)).toBeNull();
  });

  it('explains each skill score by the utterances that raised or lowered it', () => {
    const { empathyScore, problemSolvingScore } = analysis().evidence.scores;
    const listening = empathyScore.find((c) => c.component === 'reflectiveListening')!;
    expect(listening).toMatchObject({ weight: 0.4, effect: 'raised' });
    expect(listening.quotes).toEqual([
      { turn: 2, quote: 'So you drink a few beers after work.', speaker: 'user' },
      { turn: 4, quote: "Part of you enjoys how it helps you unwind, and at the same time you're noticing it is hurting your marriage.", speaker: 'user' },
    ]);
    // Questions outnumbering reflections lowered it: the questions are quoted.
    const ratio = empathyScore.find((c) => c.component === 'reflectionToQuestions')!;
    expect(ratio.effect).toBe('lowered');
    expect(ratio.quotes.map((q) => q.turn)).toEqual([0, 6]);
    // Nothing affirming was said: nothing to quote, and the note says so.
    expect(empathyScore.find((c) => c.component === 'affirming')).toMatchObject({
      effect: 'lowered',
      quotes: [],
      note: expect.stringContaining('no affirmation'),
    });
    // Their change talk is what raised problem solving: their words are quoted.
    const change = problemSolvingScore.find((c) => c.component === 'evokingChange')!;
    expect(change.effect).toBe('raised');
    expect(change.quotes).toEqual([
      { turn: 5, quote: 'I guess I want to cut down. I could try only weekends.', speaker: 'counterpart' },
      { turn: 7, quote: 'Maybe. I will try.', speaker: 'counterpart' },
    ]);
    // The points of a skill's components add up to its score (before rounding; no rubric here).
    const total = empathyScore.reduce((sum, c) => sum + 100 * c.weight * c.value, 0);
    expect(Math.abs(total - analysis().empathyScore)).toBeLessThan(1);
  });

  it('says nothing of MITI levels for a person who asked and reflected nothing', () => {
    const a = coach3.analyze({ transcript: [{ role: 'assistant', content: 'Hello?' }] }).analysis as Coach3Analysis;
    expect(a.miti.levels).toEqual({ reflectionToQuestionRatio: null, complexReflectionShare: null, openQuestionShare: null });
    expect(a.keyInsights.some((l) => l.startsWith('MITI counts:'))).toBe(false);
  });
});
