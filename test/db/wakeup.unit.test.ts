import { describe, expect, it } from 'vitest';
import { Wakeup } from '../../src/db/wakeup.js';

// The one wake-up lifecycle: passes never overlap, a wake during a pass is one more pass (not lost,
// not many), a poll runs a pass only when the head moved, and passNow waits for a pass begun after it.

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('Wakeup', () => {
  it('runs one pass at a time, and one more for any number of wakes during it', async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    let release: () => void = () => {};
    const w = new Wakeup(
      async () => {
        running++;
        most = Math.max(most, running);
        passes++;
        if (passes === 1) await new Promise<void>((r) => (release = r));
        running--;
      },
      { pollMs: 60_000 },
    );
    w.start();
    await tick();
    for (let i = 0; i < 5; i++) w.wake();
    release();
    await w.passNow();
    expect(most).toBe(1);
    // The first, and one more begun after it for the five wakes and passNow together.
    expect(passes).toBe(2);
    await w.passNow();
    expect(passes).toBe(3);
    await w.stop();
  });

  it('polls the head and runs a pass only when it moved', async () => {
    let head = 'a';
    let passes = 0;
    const w = new Wakeup(
      async () => {
        passes++;
      },
      { pollMs: 20, readHead: async () => head },
    );
    w.start();
    await tick(150);
    // The first pass, and one when the first poll saw a head (it had none before).
    expect(passes).toBe(2);
    head = 'b';
    await tick(100);
    expect(passes).toBe(3);
    await w.stop();
  });

  it('hands the pass the payloads of the notifications that woke it, or null to look at everything', async () => {
    const seen: (string[] | null)[] = [];
    let notify: (payload: string | null) => void = () => {};
    const listener = { subscribe: (_channel: string, handler: (p: string | null) => void) => ((notify = handler), () => {}) };
    const w = new Wakeup(
      async (notified) => {
        seen.push(notified);
      },
      { pollMs: 60_000, listener: listener as never, channel: 'c' },
    );
    w.start();
    await tick();
    notify('x');
    await tick();
    notify(null);
    await tick();
    expect(seen).toEqual([null, ['x'], null]);
    await w.stop();
  });
});
