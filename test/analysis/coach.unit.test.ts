import { describe, expect, it } from 'vitest';
import { CounterpartMemory } from '../../src/analysis/coach/memory.js';
import { coach, type CoachAnalysis } from '../../src/analysis/coach/index.js';
import { secondsOf } from '../../src/analysis/coach/timing.js';
import { tokenize } from '../../src/analysis/coach/tokenize.js';
import { codeUserTurn } from '../../src/analysis/coach/userTurn.js';
import { findAnalyzer } from '../../src/analysis/registry.js';
import type { Turn } from '../../src/analysis/types.js';

/** Codes a practitioner turn said right after `before` (the counterpart's words). */
function code(text: string, before = '') {
  const memory = new CounterpartMemory();
  if (before) memory.remember(tokenize(before).infos);
  return codeUserTurn(tokenize(text), memory);
}

function analyze(transcript: Turn[], rubric?: unknown): CoachAnalysis {
  return coach.analyze({ transcript, context: rubric === undefined ? undefined : { rubric } }).analysis as CoachAnalysis;
}

describe('coach@1 turn coder', () => {
  it('tells open questions from closed ones, with or without a question mark', () => {
    expect(code('What brings you in today?')).toMatchObject({ code: 'question', openQuestions: 1, closedQuestions: 0 });
    expect(code('Tell me more about your week')).toMatchObject({ code: 'question', openQuestions: 1 });
    expect(code('Do you drink every day')).toMatchObject({ code: 'question', openQuestions: 0, closedQuestions: 1 });
    expect(code('Sandra, can you give me an example?')).toMatchObject({ closedQuestions: 1 });
    expect(code('On a scale of 1 to 10, how confident are you?')).toMatchObject({ openQuestions: 1 });
  });

  it('hears reflections by their cues and by restated content', () => {
    expect(code('It sounds like you feel stuck.')).toMatchObject({ code: 'reflection', reflection: true });
    expect(code("So you're not sure it is worth it?")).toMatchObject({ code: 'reflection' });
    const echo = code('You hate the long commute.', 'The commute takes two hours and I hate it.');
    expect(echo).toMatchObject({ code: 'reflection', reflection: true });
    expect(echo.echoed).toBeGreaterThanOrEqual(2);
    // "what you're saying is" opens a statement, not a question.
    expect(code("What you're saying is that the job matters to you.")).toMatchObject({ code: 'reflection', openQuestions: 0 });
  });

  it('codes advice, information and lecturing as input', () => {
    expect(code('You should really cut down on the drinking.')).toMatchObject({ code: 'input', advice: true });
    expect(code("Why don't you try a nicotine patch?")).toMatchObject({ code: 'input', advice: true });
    // Asking what they think about "should" is a question, not advice.
    expect(code('Do you think you should cut down?')).toMatchObject({ code: 'question', advice: false });
    expect(code('Research shows the risk of stroke doubles with heavy drinking.')).toMatchObject({ code: 'input', information: true });
    const long =
      'Well the thing about cholesterol is that the liver makes most of it and the rest comes from food, ' +
      'and when the level is high the arteries narrow over the years, which is why the medicine matters so much for people at this age.';
    expect(code(long)).toMatchObject({ code: 'input', lecture: true });
  });

  it('codes backchannels, affirmations, summaries, next steps, fillers and hedges', () => {
    expect(code('Mm-hmm, okay.')).toMatchObject({ code: 'other', backchannel: true });
    expect(code("That's great, you've already cut down a lot.")).toMatchObject({ affirmation: true });
    expect(code("Let me summarize: you want to drink less and you've started already.")).toMatchObject({ summary: true, reflection: true });
    expect(code("What's the next step for you?")).toMatchObject({ nextStep: true });
    expect(code('Um, uh, I guess maybe we could, um, talk.')).toMatchObject({ fillers: 3, hedges: 2 });
  });
});

describe('coach@1 analysis', () => {
  const good: Turn[] = [
    { role: 'system', content: 'You are a replica playing an employee.' },
    { role: 'assistant', content: 'Honestly I am exhausted, the new project keeps me at work until nine every night.', timestamp: '2025-01-01T00:00:00Z' },
    { role: 'user', content: 'It sounds like the late nights are wearing you down. What worries you most about it?', timestamp: '2025-01-01T00:00:06Z' },
    { role: 'assistant', content: 'That I will burn out and start making mistakes, and my family barely sees me.', timestamp: '2025-01-01T00:00:12Z' },
    { role: 'user', content: 'So you care about doing good work and about your family, and right now both feel at risk.', timestamp: '2025-01-01T00:00:18Z' },
    { role: 'assistant', content: 'Yes. I want to talk to my lead about moving the deadline, I think I can do that.', timestamp: '2025-01-01T00:00:25Z' },
    { role: 'user', content: "That takes courage. What's the next step, and when will you talk to her?", timestamp: '2025-01-01T00:00:31Z' },
    { role: 'assistant', content: 'I will ask for a meeting tomorrow morning and bring a plan for the remaining work.', timestamp: '2025-01-01T00:00:36Z' },
  ];
  const poor: Turn[] = [
    { role: 'assistant', content: 'Honestly I am exhausted, the new project keeps me at work until nine every night.' },
    {
      role: 'user',
      content:
        'Well, everyone works late sometimes. You need to be more efficient. You should prioritise better and you have to stop checking email all day, because that is what kills productivity in most teams I have managed over the years.',
    },
    { role: 'assistant', content: "I don't think that is the problem." },
    { role: 'user', content: 'Do you make a to-do list?' },
    { role: 'assistant', content: 'No.' },
    { role: 'user', content: 'Are you checking email at night?' },
    { role: 'assistant', content: 'Sometimes.' },
    { role: 'user', content: 'Have you talked to your lead?' },
  ];

  it('scores listening above lecturing on every score', () => {
    const a = analyze(good);
    const b = analyze(poor);
    expect(a.empathyScore).toBeGreaterThan(b.empathyScore + 20);
    expect(a.communicationScore).toBeGreaterThan(b.communicationScore);
    expect(a.problemSolvingScore).toBeGreaterThan(b.problemSolvingScore);
    expect(a.overallScore).toBeGreaterThan(b.overallScore + 20);
    expect(coach.analyze({ transcript: good }).score).toBe(a.overallScore);
  });

  it('reports the measured numbers', () => {
    const m = analyze(good).metrics;
    expect(m).toMatchObject({ userTurns: 3, counterpartTurns: 4, otherTurns: 1, openQuestions: 2, closedQuestions: 0, reflections: 3, unsolicitedAdvice: 0 });
    expect(m.counterpartChangeTalk).toBeGreaterThanOrEqual(2);
    expect(m.talkShare).toBeGreaterThan(0.3);
    expect(m.talkShare).toBeLessThan(0.5);
    expect(m.responseSeconds).not.toBeNull();
    const p = analyze(poor).metrics;
    expect(p).toMatchObject({ closedQuestions: 3, openQuestions: 0, unsolicitedAdvice: 1, reflections: 0 });
    expect(p.longestMonologueWords).toBeGreaterThan(35);
    expect(p.responseSeconds).toBeNull();
  });

  it("backs every strength and area with the person's own words, aligned by index", () => {
    for (const t of [good, poor]) {
      const a = analyze(t);
      expect(a.evidence.strengths).toHaveLength(a.strengths.length);
      expect(a.evidence.areasForImprovement).toHaveLength(a.areasForImprovement.length);
      for (const quotes of [...a.evidence.strengths, ...a.evidence.areasForImprovement]) {
        expect(quotes.length).toBeGreaterThan(0);
        for (const q of quotes) {
          const turn = t[q.turn]!;
          expect(turn.role).toBe('user');
          expect(turn.content.replace(/\s+/g, ' ')).toContain(q.quote.replace(/…$/, ''));
        }
      }
    }
    const p = analyze(poor);
    const advice = p.areasForImprovement.findIndex((s) => s.includes('advice'));
    expect(advice).toBeGreaterThanOrEqual(0);
    expect(p.evidence.areasForImprovement[advice]![0]!.quote).toContain('You need to be more efficient');
    const g = analyze(good);
    expect(g.strengths.some((s) => s.startsWith('You reflected back'))).toBe(true);
  });

  it('treats advice that was asked for, or asked permission for, as MI-adherent', () => {
    const asked = analyze([
      { role: 'assistant', content: 'What do you think I should do about the meetings?' },
      { role: 'user', content: 'You could try blocking your mornings.' },
    ]).metrics;
    expect(asked).toMatchObject({ adviceGiven: 1, unsolicitedAdvice: 0 });
    const permitted = analyze([
      { role: 'assistant', content: 'The meetings take my whole day.' },
      { role: 'user', content: 'Would it be okay if I shared an idea?' },
      { role: 'assistant', content: 'Sure.' },
      { role: 'user', content: 'You might want to block your mornings.' },
    ]).metrics;
    expect(permitted).toMatchObject({ adviceGiven: 1, adviceWithPermission: 1, unsolicitedAdvice: 0 });
  });

  it('scores nothing when the person never spoke', () => {
    const r = coach.analyze({ transcript: [{ role: 'assistant', content: 'Hello? Are you there?' }] });
    expect(r.score).toBe(0);
    expect(r.analysis.areasForImprovement[0]).toContain('did not speak');
    expect((r.analysis as CoachAnalysis).evidence.areasForImprovement).toEqual([[]]);
  });

  it('is registered beside baseline', () => {
    expect(findAnalyzer('coach@1')).toBe(coach);
  });
});

describe('coach@1 rubric', () => {
  const transcript: Turn[] = [
    { role: 'assistant', content: 'I am not sure this deal is right for us.' },
    { role: 'user', content: 'What would make it right for you?' },
    { role: 'assistant', content: 'A shorter contract, maybe six months.' },
    { role: 'user', content: "So flexibility matters most. Let's agree the next step: I send a six month draft by Friday." },
  ];
  const rubric = {
    weight: 0.5,
    criteria: [
      { name: 'Asks open questions', weight: 2, check: { kind: 'metric', metric: 'openQuestions', min: 1 }, affects: ['communicationScore'] },
      { name: 'Names a date', check: { kind: 'hear', phrases: ['by friday', 'by monday'] } },
      { name: 'No pressure', check: { kind: 'avoid', phrases: ['sign today', 'last chance'] } },
      { name: 'Quick replies', check: { kind: 'metric', metric: 'responseSeconds', max: 2 } },
      { name: 'Talks little', weight: 3, check: { kind: 'metric', metric: 'talkShare', max: 0.2 }, affects: ['empathyScore'] },
    ],
  };

  it('reports each criterion and folds the result into the scores', () => {
    const plain = analyze(transcript);
    const a = analyze(transcript, rubric);
    const report = a.rubric;
    expect(report?.status).toBe('applied');
    if (report?.status !== 'applied') return;
    expect(report.criteria.map((c) => [c.name, c.passed])).toEqual([
      ['Asks open questions', true],
      ['Names a date', true],
      ['No pressure', true],
      ['Quick replies', null], // no timestamps: not measured, not counted
      ['Talks little', false],
    ]);
    expect(report.criteria[1]!.evidence[0]).toEqual({ turn: 3, quote: "Let's agree the next step: I send a six month draft by Friday." });
    // Passed weight 2 + 1 + 1 of 7 measured.
    expect(report.score).toBe(Math.round((100 * 4) / 7));
    expect(a.overallScore).toBe(Math.round(0.5 * plain.overallScore + 0.5 * (400 / 7)));
    expect(a.communicationScore).toBe(Math.round(0.5 * plain.communicationScore + 0.5 * 100));
    expect(a.empathyScore).toBe(Math.round(0.5 * plain.empathyScore));
    expect(a.problemSolvingScore).toBe(plain.problemSolvingScore);
  });

  it('reports an invalid rubric and scores as if there were none', () => {
    const plain = analyze(transcript);
    for (const bad of [
      'not json',
      { criteria: [] },
      { criteria: [{ name: 'x', check: { kind: 'metric', metric: 'charisma', min: 1 } }] },
      { criteria: [{ name: 'x', check: { kind: 'metric', metric: 'talkShare' } }] },
    ]) {
      const a = analyze(transcript, bad);
      expect(a.rubric?.status).toBe('invalid');
      expect(a.overallScore).toBe(plain.overallScore);
      expect(a.keyInsights.some((s) => s.includes('rubric is invalid'))).toBe(true);
    }
    expect(analyze(transcript, null).rubric).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('reads ISO strings, epoch seconds and milliseconds, offsets, and nothing', () => {
    expect(secondsOf({ role: 'user', content: '', timestamp: '1970-01-01T00:01:00Z' })).toBe(60);
    expect(secondsOf({ role: 'user', content: '', timestamp: 1700000000 })).toBe(1700000000);
    expect(secondsOf({ role: 'user', content: '', timestamp: 1700000000500 })).toBe(1700000000.5);
    expect(secondsOf({ role: 'user', content: '', timestamp: '1700000000' })).toBe(1700000000);
    expect(secondsOf({ role: 'user', content: '', timestamp: 5, secondsFromStart: 12 })).toBe(12);
    expect(secondsOf({ role: 'user', content: '', timestamp: 'yesterday' })).toBeNull();
    expect(secondsOf({ role: 'user', content: '' })).toBeNull();
  });
});
