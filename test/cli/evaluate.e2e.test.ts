import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// baseline@1's overall score grows with the number of turns when every turn of the person is a
// question and both sides say as much: so the order of the scores below is known without running it.
function conversation(turns: number) {
  return Array.from({ length: turns }, (_, i) => [
    { role: 'user', content: `What happened next, part ${i}?` },
    { role: 'assistant', content: `Then things got worse, part ${i}.` },
  ]).flat();
}

describe('tavus-feedback evaluate', () => {
  it('reports the AUC computed by hand for a small labelled file', () => {
    // Scores rank 4 > 3 > 2 > 1 turns. High: {4, 2}; low: {3, 1}. Of the four high/low pairs,
    // (4,3) (4,1) (2,1) are ordered right and (2,3) wrong: AUC = 3/4.
    const dir = mkdtempSync(path.join(tmpdir(), 'evaluate-'));
    const file = path.join(dir, 'labels.jsonl');
    const rows = [
      { id: 'a', quality: 'high', transcript: conversation(4) },
      { id: 'b', quality: 'low', transcript: conversation(3) },
      { id: 'c', quality: 'high', transcript: conversation(2) },
      { id: 'd', quality: 'low', transcript: conversation(1) },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const { status, stdout, stderr } = runCli(['evaluate', '--labels', file, '--analyzer', 'baseline@1', '--json']);
    expect(status, stderr).toBe(0);
    const [evaluation] = JSON.parse(stdout);
    expect(evaluation.analyzer).toBe('baseline@1');
    expect(evaluation.auc.overallScore).toBe(0.75);
    expect(evaluation.high).toBe(2);
    expect(evaluation.low).toBe(2);

    const table = runCli(['evaluate', '--labels', file, '--analyzer', 'baseline@1']);
    expect(table.stdout).toMatch(/baseline@1\s+overallScore\s+0\.750/);
  });

  it('refuses a file without both labels', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evaluate-'));
    const file = path.join(dir, 'labels.jsonl');
    writeFileSync(file, JSON.stringify({ quality: 'high', transcript: conversation(2) }) + '\n');
    const { status, stderr } = runCli(['evaluate', '--labels', file]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/both high and low/);
  });
});
