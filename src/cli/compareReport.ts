import type { Comparison } from '../projections/builds/compareBuilds.js';

// A self-contained HTML page (inline SVG, no scripts, no external assets) showing how scores moved.

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const signed = (n: number) => (n > 0 ? `+${fixed(n)}` : fixed(n));

function histogramSvg(c: Comparison): string {
  const width = 720;
  const height = 320;
  const left = 50;
  const bottom = 40;
  const top = 20;
  const plotH = height - top - bottom;
  const plotW = width - left - 20;
  const max = Math.max(1, ...c.histogram.flatMap((h) => [h.a, h.b]));
  const group = plotW / c.histogram.length;
  const bar = group * 0.38;
  const y = (n: number) => top + plotH - (n / max) * plotH;
  const bars = c.histogram
    .map((h, i) => {
      const x = left + i * group + group * 0.1;
      return [
        `<rect x="${x.toFixed(1)}" y="${y(h.a).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(h.a)).toFixed(1)}" fill="#8a94a6"><title>${escape(c.a)}: ${h.a}</title></rect>`,
        `<rect x="${(x + bar).toFixed(1)}" y="${y(h.b).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(h.b)).toFixed(1)}" fill="#2f6fdf"><title>${escape(c.b)}: ${h.b}</title></rect>`,
        `<text x="${(left + i * group + group / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${h.from}–${h.to}</text>`,
      ].join('');
    })
    .join('\n');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<line x1="${left}" x2="${left + plotW}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#e3e6eb"/><text x="${left - 6}" y="${y(max * f) + 4}" text-anchor="end">${Math.round(max * f)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="Score distributions">
${ticks}
${bars}
<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle">score</text>
<rect x="${left + 10}" y="${top}" width="12" height="12" fill="#8a94a6"/><text x="${left + 28}" y="${top + 10}">${escape(c.a)}</text>
<rect x="${left + 160}" y="${top}" width="12" height="12" fill="#2f6fdf"/><text x="${left + 178}" y="${top + 10}">${escape(c.b)}</text>
</svg>`;
}

export function renderComparison(c: Comparison): string {
  const rows = c.shifts
    .map(
      (s) =>
        `<tr><td>${s.field}</td><td>${s.changed}</td><td>${fixed(s.meanA)}</td><td>${fixed(s.meanB)}</td><td>${signed(s.meanShift)}</td><td>${signed(s.medianShift)}</td></tr>`,
    )
    .join('\n');
  const movers = c.movers
    .map((m) => `<tr><td><code>${escape(m.conversationId)}</code></td><td>${m.scoreA}</td><td>${m.scoreB}</td><td>${signed(m.shift)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(c.a)} → ${escape(c.b)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2330}table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .8rem;border-bottom:1px solid #e3e6eb;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>How scores moved: ${escape(c.a)} → ${escape(c.b)}</h1>
<p>${c.common} conversations scored by both${c.onlyA || c.onlyB ? ` (${c.onlyA} only by ${escape(c.a)}, ${c.onlyB} only by ${escape(c.b)})` : ''}.</p>
${histogramSvg(c)}
<h2>Shift per score</h2>
<table><tr><th>score</th><th>changed</th><th>mean ${escape(c.a)}</th><th>mean ${escape(c.b)}</th><th>mean shift</th><th>median shift</th></tr>
${rows}
</table>
<h2>Conversations that moved most</h2>
<table><tr><th>conversation</th><th>${escape(c.a)}</th><th>${escape(c.b)}</th><th>shift</th></tr>
${movers || '<tr><td colspan="4">no score changed</td></tr>'}
</table>
</body></html>
`;
}
