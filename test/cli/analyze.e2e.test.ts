import { describe, expect, it } from 'vitest';
import { baseline } from '../../src/analysis/baseline/index.js';
import { runCli } from '../support/cli.js';

describe('tavus-feedback analyze', () => {
  it('scores JSON lines from standard input with the same function the projection uses', () => {
    const lines = [
      {
        id: 'a',
        transcript: [
          { role: 'system', content: 'prompt' },
          { role: 'user', content: 'How are you?' },
          { role: 'assistant', content: 'Good.' },
        ],
        duration: 30,
      },
      { id: 7, transcript: [] },
    ];
    const { status, stdout, stderr } = runCli(['analyze', '--analyzer', 'baseline@1', '-'], { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' });
    expect(status, stderr).toBe(0);
    const out = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(2);
    const expected = baseline.analyze({
      transcript: [
        { role: 'user', content: 'How are you?' },
        { role: 'assistant', content: 'Good.' },
      ],
      durationSeconds: 30,
      context: { name: undefined, description: undefined, rubric: undefined },
    });
    expect(out[0]).toEqual({ id: 'a', analyzer: 'baseline@1', score: expected.score, analysis: expected.analysis });
    expect(out[1].id).toBe(7);
  });

  it('names the line and field of bad input, and unknown analyzers', () => {
    const bad = runCli(['analyze', '--analyzer', 'baseline@1'], { input: '{"id":"x","transcript":"nope"}\n' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/line 1: transcript/);
    const unknown = runCli(['analyze', '--analyzer', 'nope@9'], { input: '' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown analyzer nope@9; known: .*baseline@1/);
  });
});
