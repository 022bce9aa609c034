import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return { stream, text: () => text };
}

describe('rebuild progress', () => {
  it('draws a bar with done/total, rate and ETA in place on a terminal', () => {
    const out = sink(true);
    const progress = progressReporter(out.stream);
    progress.update({ phase: 'snapshot', done: 2_500, total: 10_000, elapsedMs: 1_000 });
    expect(out.text()).toContain('2500/10000 conversations  2500/s  ETA 3s');
    expect(out.text()).toMatch(/█{7,8}░{22,23} 2500/);
    progress.update({ phase: 'catch-up', done: 40, total: 40, elapsedMs: 4_000 });
    progress.end();
    // The last state is drawn over the first, on the same line, and ended with one line break.
    const text = out.text();
    expect(text.slice(text.indexOf('2500/10000'))).toContain('catching up: 40 events');
    expect(text.match(/\n/g)).toHaveLength(1);
    progress.end();
    expect(out.text()).toBe(text);
  });

  it('prints plain lines now and then when not on a terminal', () => {
    const out = sink(false);
    const progress = progressReporter(out.stream, 5_000);
    for (let ms = 0; ms <= 12_000; ms += 1_000) progress.update({ phase: 'snapshot', done: ms, total: 20_000, elapsedMs: ms });
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('snapshot: 5000/20000 conversations, 1000/s, ETA 15s');
    expect(out.text()).not.toContain('\r');
  });
});
