// The operator panel's "Compare analyzers": pick two builds, see how the headline score is spread in
// each, how every score moved, and the conversations that moved most. Read on demand (a comparison
// scans every row of both builds), never on the panel's 2 s refresh.

import { histogramChart } from './histogram.js';

const $ = (id) => document.getElementById(id);

const signed = (n) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n).toFixed(1)}`;

/**
 * `api` and `el` are the console's; `open` shows a conversation (the movers link to theirs);
 * `showError` reports what failed.
 */
export function compareAnalyzers({ api, el, open, showError }) {
  let builds = [];
  // Answers can arrive out of order when the selects change quickly: only the latest is drawn.
  let asked = 0;

  function option(build) {
    const state = build.state === 'ready' ? '' : `${build.state}, `;
    const node = el('option', `${build.analyzer} (${state}${build.rows} rows)`);
    node.value = build.analyzer;
    return node;
  }

  /** Keeps what the operator chose when it still exists; else A is live, B the newest other build. */
  function fillSelects() {
    const live = builds.find((b) => b.state === 'live')?.analyzer ?? builds[0]?.analyzer;
    const other = builds.find((b) => b.analyzer !== live)?.analyzer ?? live;
    for (const [id, fallback] of [
      ['compare-a', live],
      ['compare-b', other],
    ]) {
      const select = $(id);
      const kept = builds.some((b) => b.analyzer === select.value) ? select.value : fallback;
      select.replaceChildren(...builds.map(option));
      if (kept) select.value = kept;
    }
  }

  async function reload() {
    builds = (await api('/admin/builds')).builds;
    fillSelects();
    const enough = builds.length >= 2;
    $('compare-result').hidden = !enough;
    $('compare-note').textContent = enough
      ? ''
      : 'One build only: make another with `tavus-feedback rebuild feedback --analyzer <name@version>` to compare it with.';
    if (enough) await draw();
  }

  async function draw() {
    const a = $('compare-a').value;
    const b = $('compare-b').value;
    const mine = ++asked;
    $('compare-result').setAttribute('aria-busy', 'true');
    const comparison = await api(`/admin/compare?${new URLSearchParams({ a, b })}`);
    if (mine !== asked) return;
    $('compare-result').removeAttribute('aria-busy');
    $('compare-summary').textContent =
      `${comparison.common} conversations scored by both; ${comparison.onlyA} only by ${comparison.a}, ${comparison.onlyB} only by ${comparison.b}.`;
    $('compare-chart').replaceChildren(histogramChart(comparison));
    renderShifts(comparison);
    renderMovers(comparison);
  }

  function renderShifts(comparison) {
    const table = $('compare-shifts');
    const head = el('tr');
    for (const h of ['score', `mean A`, `mean B`, 'mean shift (B − A)', 'median shift', 'changed']) head.append(el('th', h));
    const rows = comparison.shifts.map((s) => {
      const row = el('tr');
      row.dataset.field = s.field;
      row.append(
        el('td', s.field),
        el('td', s.meanA.toFixed(1)),
        el('td', s.meanB.toFixed(1)),
        el('td', signed(s.meanShift)),
        el('td', signed(s.medianShift)),
        el('td', `${s.changed} of ${comparison.common}`),
      );
      return row;
    });
    table.replaceChildren(head, ...rows);
  }

  function renderMovers(comparison) {
    const list = $('compare-movers');
    list.replaceChildren();
    for (const m of comparison.movers) {
      const button = el('button', `${m.scoreA} → ${m.scoreB} (${signed(m.shift)})`);
      button.type = 'button';
      button.title = `open conversation ${m.conversationId}`;
      button.addEventListener('click', () => open(m.conversationId).catch(showError));
      const item = el('li');
      item.append(button, ' ', el('small', m.conversationId));
      list.append(item);
    }
    if (comparison.movers.length === 0) list.append(el('li', 'No headline score differs.'));
  }

  $('compare-a').addEventListener('change', () => draw().catch(showError));
  $('compare-b').addEventListener('change', () => draw().catch(showError));
  $('compare-refresh').addEventListener('click', () => reload().catch(showError));
  return { reload };
}
