import { describe, expect, it } from 'vitest';
import { llm, needsAnswer } from '../../src/analysis/llm/index.js';
import { locateQuote, normalise, normaliseTalk } from '../../src/analysis/llm/quotes.js';
import { talkOf } from '../../src/analysis/llm/talk.js';
import type { LlmAnswer } from '../../src/analysis/llm/answer.js';
import type { AnalysisInput, RecordedAnswer, Turn } from '../../src/analysis/types.js';

const transcript: Turn[] = [
  { role: 'user', content: 'How did the launch go for you?' },
  { role: 'assistant', content: '<emotion value="tired"/> Honestly, it was stressful.' },
  { role: 'tool', content: '{"lookup": "calendar"}' },
  { role: 'user', content: 'It sounds like the deadline didn’t leave you much room. What would help next time?' },
  { role: 'assistant', content: 'Maybe more time for testing, and fewer late changes.' },
];

const answer: LlmAnswer = {
  strengths: [
    { point: 'You opened with an open question.', quotes: ['how did the launch go for you'] },
    { point: 'You reflected their stress.', quotes: ["It sounds like the deadline didn't leave you much room", 'I will double your budget'] },
  ],
  areasForImprovement: [{ point: 'You could explore the late changes.', quotes: ['What would help … next time?'] }],
  keyInsights: ['They named what would help: more testing time.'],
  communicationScore: 72,
  empathyScore: 81,
  problemSolvingScore: 64,
  overallScore: 74,
};

const recording = (over: Partial<RecordedAnswer> = {}): RecordedAnswer => ({
  analyzer: 'llm@1',
  model: 'gpt-x',
  promptSha256: 'a'.repeat(64),
  answer,
  ...over,
});

const withRecording = (recordings: RecordedAnswer[]): AnalysisInput => ({ transcript, context: { name: 'Launch review' }, recordings });

describe('llm@1 without a recording', () => {
  it('is pending, and says so instead of scoring', () => {
    const input: AnalysisInput = { transcript };
    expect(llm.pending!(input)).toBe('no answer recorded yet for llm@1');
    const result = llm.analyze(input);
    expect(result.analysis.status).toBe('pending');
    expect(result.score).toBe(0);
  });

  it("ignores another version's recording", () => {
    expect(llm.pending!(withRecording([recording({ analyzer: 'llm@2' })]))).not.toBeNull();
  });

  it('stays pending when the recorded answer does not fit its schema', () => {
    const reason = llm.pending!(withRecording([recording({ answer: { strengths: 'all good' } })]));
    expect(reason).toMatch(/does not fit its answer schema/);
    expect(llm.analyze(withRecording([recording({ answer: null })])).analysis.status).toBe('pending');
  });

  it('needs no answer when the person never spoke, and scores that 0 at once', () => {
    const silent: Turn[] = [
      { role: 'system', content: 'You are Sam, a tired engineer.' },
      { role: 'assistant', content: 'Hello?' },
      { role: 'user', content: '   ' },
    ];
    expect(needsAnswer({ transcript: silent })).toBe(false);
    expect(llm.pending!({ transcript: silent })).toBeNull();
    const result = llm.analyze({ transcript: silent });
    expect(result.analysis).toMatchObject({ status: 'silent', overallScore: 0, strengths: [] });
    expect(needsAnswer({ transcript })).toBe(true);
  });
});

describe('llm@1 with a recording', () => {
  const result = llm.analyze(withRecording([recording()]));

  it("gives the original design's fields from the answer", () => {
    expect(llm.pending!(withRecording([recording()]))).toBeNull();
    expect(result.score).toBe(74);
    expect(result.analysis).toMatchObject({
      status: 'answered',
      strengths: ['You opened with an open question.', 'You reflected their stress.'],
      areasForImprovement: ['You could explore the late changes.'],
      keyInsights: ['They named what would help: more testing time.'],
      communicationScore: 72,
      empathyScore: 81,
      problemSolvingScore: 64,
      overallScore: 74,
      model: 'gpt-x',
      promptSha256: 'a'.repeat(64),
    });
  });

  it('backs each point with the turn its quote comes from, compared normalised', () => {
    expect(result.analysis.evidence).toEqual({
      strengths: [[{ turn: 0, quote: 'how did the launch go for you' }], [{ turn: 3, quote: "It sounds like the deadline didn't leave you much room" }]],
      areasForImprovement: [[{ turn: 3, quote: 'What would help … next time?' }]],
    });
  });

  it('drops a quote the transcript does not hold, and notes it', () => {
    expect(result.analysis.droppedQuotes).toEqual([{ section: 'strengths', item: 1, quote: 'I will double your budget' }]);
  });

  it('gives the same feedback whatever the order of the recordings', () => {
    const other = recording({ promptSha256: 'b'.repeat(64), answer: { ...answer, overallScore: 10 } });
    const a = llm.analyze(withRecording([recording(), other, recording({ analyzer: 'coach@9' })]));
    const b = llm.analyze(withRecording([recording({ analyzer: 'coach@9' }), other, recording()]));
    expect(a).toEqual(b);
    expect(a.score).toBe(74);
  });

  it('reads the same recording to the same feedback every time', () => {
    expect(llm.analyze(withRecording([recording()]))).toEqual(result);
  });
});

describe('finding quotes', () => {
  const talk = normaliseTalk(talkOf(transcript));

  it('ignores case, punctuation, typographic apostrophes and markup', () => {
    expect(normalise('Didn’t  LEAVE, you…')).toBe(normalise("didn't leave you"));
    expect(locateQuote('honestly it was STRESSFUL', talk)).toBe(1);
    expect(locateQuote('emotion value tired', talk)).toBeNull();
  });

  it('matches whole words only', () => {
    expect(locateQuote('ow did the launch', talk)).toBeNull();
    expect(locateQuote('how did the launch', talk)).toBe(0);
  });

  it('keeps the parts around an ellipsis in order, within one turn', () => {
    expect(locateQuote('It sounds like ... help next time', talk)).toBe(3);
    expect(locateQuote('help next time … It sounds like', talk)).toBeNull();
    expect(locateQuote('How did … fewer late changes', talk)).toBeNull();
  });

  it("prefers the person's turn when both sides said it", () => {
    const echoed = normaliseTalk(
      talkOf([
        { role: 'assistant', content: 'More testing time.' },
        { role: 'user', content: 'So, more testing time.' },
      ]),
    );
    expect(locateQuote('more testing time', echoed)).toBe(1);
  });

  it('finds nothing in an empty quote, nor in rows that are not talk', () => {
    expect(locateQuote(' … ', talk)).toBeNull();
    expect(locateQuote('lookup calendar', talk)).toBeNull();
  });
});
