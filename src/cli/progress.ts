import cliProgress from 'cli-progress';
import type { RebuildProgress } from '../projections/builds/rebuild.js';

// On a terminal, a bar redrawn in place (cli-progress: done/total, rate, ETA); otherwise, for logs and
// CI, a plain line every few seconds. Rate and ETA come from the rebuild's own clock, so both agree.

export interface ProgressReporter {
  update(p: RebuildProgress): void;
  /** Leaves the terminal as it was (cursor shown, line ended); safe to call more than once. */
  end(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

function rateAndEta(p: RebuildProgress): { rate: number; eta: string } {
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.done / seconds : 0;
  return { rate: Math.round(rate), eta: formatSeconds(rate > 0 && p.total > p.done ? (p.total - p.done) / rate : 0) };
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 5_000): ProgressReporter {
  return stream.isTTY ? terminalBar(stream) : plainLines(stream, plainEveryMs);
}

const FORMATS: Record<RebuildProgress['phase'], string> = {
  snapshot: '{bar} {value}/{total} conversations  {rate}/s  ETA {etaText}',
  'catch-up': 'catching up: {value} events',
};

function terminalBar(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar({
    stream,
    barsize: 30,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    // Nothing the terminal keeps if the process dies mid-bar: the cursor stays visible, wrapping on.
    hideCursor: false,
    linewrap: true,
    // One bar, two phases: the payload says which line to draw.
    format: (options, params, payload: { phase: RebuildProgress['phase'] }) =>
      cliProgress.Format.Formatter({ ...options, format: FORMATS[payload.phase] }, params, payload),
  });
  let running = false;
  return {
    update(p) {
      const { rate, eta } = rateAndEta(p);
      // cli-progress fills {eta} itself, from its own clock: ours goes in as {etaText}.
      const payload = { phase: p.phase, rate, etaText: eta };
      if (!running) {
        bar.start(p.total, p.done, payload);
        running = true;
        return;
      }
      bar.setTotal(p.total);
      bar.update(p.done, payload);
    },
    end() {
      if (running) bar.stop();
      running = false;
    },
  };
}

function plainLines(stream: NodeJS.WriteStream, everyMs: number): ProgressReporter {
  let lastPlain = -Infinity;
  return {
    update(p) {
      if (p.elapsedMs - lastPlain < everyMs && p.done !== p.total) return;
      lastPlain = p.elapsedMs;
      const { rate, eta } = rateAndEta(p);
      stream.write(p.phase === 'snapshot' ? `${p.phase}: ${p.done}/${p.total} conversations, ${rate}/s, ETA ${eta}\n` : `catch-up: ${p.done} events\n`);
    },
    end() {},
  };
}
