// The headline score's histogram in two builds, as inline SVG made with DOM calls: every label is a
// text node, so nothing from the API is ever parsed as markup.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 30, right: 8, bottom: 40, left: 40 };

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** A "nice" top for the count axis (1, 2, 5, 10, 20, ...), so the gridlines fall on round numbers. */
function axisTop(max) {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * step).find((top) => top >= max);
}

/**
 * `comparison` is GET /admin/compare's answer. Bars of A and B side by side in each bin, the count
 * above each bar that has one, the bin's range below; a `<title>` on each bar for the pointer.
 */
export function histogramChart(comparison) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = axisTop(Math.max(...comparison.histogram.flatMap((bin) => [bin.a, bin.b])));
  const y = (count) => MARGIN.top + plotHeight - (count / top) * plotHeight;
  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    class: 'histogram',
    'aria-label': `Headline score of ${comparison.a} and ${comparison.b}, conversations per ten points`,
  });

  // Counts are whole: so are the gridlines' (a top of 1 gets two).
  for (const count of new Set([0, Math.round(top / 2), top])) {
    chart.append(
      svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(count), y2: y(count), class: 'grid' }),
      svg('text', { x: MARGIN.left - 6, y: y(count) + 4, 'text-anchor': 'end', class: 'axis' }, count),
    );
  }

  const binWidth = plotWidth / comparison.histogram.length;
  const barWidth = binWidth * 0.38;
  comparison.histogram.forEach((bin, i) => {
    const group = svg('g', { class: 'bin', 'data-bin': i });
    const left = MARGIN.left + i * binWidth + binWidth * 0.12;
    for (const [series, offset] of [
      ['a', 0],
      ['b', barWidth],
    ]) {
      const count = bin[series];
      const bar = svg('rect', {
        x: left + offset,
        y: y(count),
        width: barWidth,
        height: y(0) - y(count),
        class: `bar ${series}`,
        'data-series': series,
        'data-count': count,
      });
      bar.append(svg('title', {}, `${series.toUpperCase()} ${comparison[series]}, ${bin.from}–${bin.to}: ${count}`));
      group.append(bar);
      if (count > 0) {
        group.append(svg('text', { x: left + offset + barWidth / 2, y: y(count) - 4, 'text-anchor': 'middle', class: `count ${series}` }, count));
      }
    }
    group.append(svg('text', { x: MARGIN.left + (i + 0.5) * binWidth, y: y(0) + 16, 'text-anchor': 'middle', class: 'axis range' }, `${bin.from}–${bin.to}`));
    chart.append(group);
  });

  chart.append(
    svg('text', { x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'axis' }, 'headline score'),
    svg('rect', { x: MARGIN.left, y: 4, width: 10, height: 10, class: 'bar a' }),
    svg('text', { x: MARGIN.left + 14, y: 13, class: 'legend a' }, `A ${comparison.a}`),
    svg('rect', { x: MARGIN.left + plotWidth / 2, y: 4, width: 10, height: 10, class: 'bar b' }),
    svg('text', { x: MARGIN.left + plotWidth / 2 + 14, y: 13, class: 'legend b' }, `B ${comparison.b}`),
  );
  return chart;
}
