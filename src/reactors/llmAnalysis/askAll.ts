import type { Asker } from './asker.js';

// The reactor's work, run to the end once: what a rebuild of llm@1 does before it scores, so the
// build is made from answers in the history. Ends when nothing awaits an answer but what is parked;
// a transcript backing off is waited for (the endpoint asked us to), until it is answered or parked.

export async function askAll(asker: Asker, options: { signal?: AbortSignal; now?: () => number; sleep?: (ms: number) => Promise<void> } = {}): Promise<void> {
  const signal = options.signal ?? new AbortController().signal;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  while (!signal.aborted) {
    await asker.fill(signal);
    if (asker.busy > 0) {
      await asker.oneEnded();
      continue;
    }
    const due = asker.nextDue();
    if (due === undefined) return;
    await sleep(Math.max(0, due - now()) + 10);
  }
  await asker.idle();
}
