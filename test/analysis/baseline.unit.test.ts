import { describe, expect, it } from 'vitest';
import { baseline } from '../../src/analysis/baseline/index.js';

describe('baseline@1', () => {
  it('reports the counts it scored on', () => {
    const result = baseline.analyze({
      transcript: [
        { role: 'user', content: 'How are you doing today?' },
        { role: 'assistant', content: 'Fine, thanks.' },
        { role: 'user', content: 'What would you like to talk about?' },
      ],
      durationSeconds: 42,
    });
    expect(result.analysis.keyInsights).toContain('The conversation lasted 42 seconds.');
    expect(result.analysis.keyInsights[0]).toBe('2 turns and 12 words from you, 1 turn and 2 words from your counterpart.');
    expect(result.analysis.strengths).toContain('You asked 2 questions, inviting the other side to talk.');
    expect(result.score).toBe(result.analysis.overallScore);
  });

  it('scores an empty transcript without throwing', () => {
    const result = baseline.analyze({ transcript: [] });
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.analysis.strengths).toEqual([]);
  });
});
