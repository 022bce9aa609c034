import type { RebuildProgress } from '../projections/builds/rebuild.js';

// On a terminal, one line redrawn in place (a bar, done/total, rate, ETA); otherwise, for logs and CI,
// a plain line every few seconds.

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 5_000): {
  update(p: RebuildProgress): void;
  end(): void;
} {
  let lastPlain = -Infinity;
  let drawn = false;
  return {
    update(p) {
      const seconds = p.elapsedMs / 1000;
      const rate = seconds > 0 ? p.done / seconds : 0;
      const eta = rate > 0 && p.total > p.done ? (p.total - p.done) / rate : 0;
      if (stream.isTTY) {
        const width = 30;
        const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : width;
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        const line = p.phase === 'snapshot'
          ? `${bar} ${p.done}/${p.total} conversations  ${Math.round(rate)}/s  ETA ${formatSeconds(eta)}`
          : `catching up: ${p.done} events`;
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (p.elapsedMs - lastPlain >= plainEveryMs || p.done === p.total) {
        lastPlain = p.elapsedMs;
        stream.write(p.phase === 'snapshot'
          ? `${p.phase}: ${p.done}/${p.total} conversations, ${Math.round(rate)}/s, ETA ${formatSeconds(eta)}\n`
          : `catch-up: ${p.done} events\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}
