// The console: plain browser JavaScript over the service's own API. Every piece of data goes into
// the page as text (textContent), never as HTML.

import { compareAnalyzers } from './compare.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'tavus-feedback-token';
let token = null;
let nextCursor = null;
let feedbackStream = null;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function claimsOf(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { authorization: `Bearer ${token}`, ...(options.headers ?? {}) } });
  if (response.status === 404 && options.allowMissing) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail ?? `${path} answered ${response.status}`);
  return body;
}

function showError(err) {
  $('error').textContent = err ? String(err.message ?? err) : '';
}

// --- signing in -------------------------------------------------------------------------------

function signIn(jwt) {
  const claims = claimsOf(jwt);
  if (!claims) {
    $('sign-in-error').textContent = 'That is not a JWT.';
    return;
  }
  token = jwt;
  sessionStorage.setItem(TOKEN_KEY, jwt);
  const operator = claims.role === 'service_role';
  $('who').textContent = operator ? 'operator (service_role)' : `user ${claims.sub}`;
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  $('app').hidden = false;
  $('operator').hidden = !operator;
  loadConversations(true).catch(showError);
  if (operator) {
    refreshOperator().catch(showError);
    comparing.reload().catch(showError);
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  feedbackStream?.close();
  window.location.hash = '';
  window.location.reload();
}

// --- conversations ----------------------------------------------------------------------------

async function loadConversations(fresh) {
  if (fresh) {
    $('conversations').replaceChildren();
    nextCursor = null;
  }
  const query = new URLSearchParams({ limit: '20' });
  if (nextCursor) query.set('cursor', nextCursor);
  const page = await api(`/conversations?${query}`);
  for (const c of page.conversations) {
    const button = el('button');
    button.type = 'button';
    button.dataset.id = c.id;
    button.append(el('span', c.status, 'status'), ' ', el('span', new Date(c.created_at).toLocaleString()), el('br'), el('small', c.conversation_id));
    button.addEventListener('click', () => openConversation(c.id).catch(showError));
    const item = el('li');
    item.append(button);
    $('conversations').append(item);
  }
  if (page.conversations.length === 0 && fresh) $('conversations').append(el('li', 'No conversations yet.'));
  nextCursor = page.nextCursor;
  $('more').hidden = nextCursor === null;
}

async function openConversation(id) {
  for (const b of document.querySelectorAll('#conversations button')) b.classList.toggle('selected', b.dataset.id === id);
  const [conversation, trail, feedback, recording] = await Promise.all([
    api(`/conversations/${id}`),
    api(`/conversations/${id}/events`),
    api(`/conversations/${id}/feedback`, { allowMissing: true }),
    // 404: no recording known, or the service keeps none; a failure here leaves the rest of the page be.
    api(`/conversations/${id}/recording`, { allowMissing: true }).catch(() => null),
  ]);
  $('detail').hidden = false;
  $('detail-title').textContent = `Conversation ${conversation.conversation_id}`;
  $('detail-status').textContent = `${conversation.status}; started ${conversation.started_at ?? '(unknown)'}, ended ${conversation.ended_at ?? '(not yet)'}`;
  renderFeedback(feedback);
  renderFacts(conversation);
  renderTimeline(trail);
  renderRecording(id, recording);
  renderVersions(trail.feedback);
  // The feedback as it changes, from any instance (EventSource sends no headers: the token goes in the URL).
  feedbackStream?.close();
  feedbackStream = new EventSource(`/conversations/${id}/feedback/stream?access_token=${encodeURIComponent(token)}`);
  feedbackStream.addEventListener('feedback', (event) => renderFeedback(JSON.parse(event.data)));
}

/** Quotes of the person's own words backing the feedback, by transcript turn. */
function evidenceByTurn(analysis) {
  const byTurn = new Map();
  for (const list of [analysis?.evidence?.strengths, analysis?.evidence?.areasForImprovement]) {
    for (const quotes of list ?? []) {
      for (const q of quotes ?? []) byTurn.set(q.turn, [...(byTurn.get(q.turn) ?? []), q.quote]);
    }
  }
  return byTurn;
}

/** The text with each quote marked, built from text nodes only. */
function highlighted(text, quotes) {
  const item = el('span');
  let rest = String(text);
  for (;;) {
    const hits = quotes.map((q) => ({ q, at: rest.indexOf(q) })).filter((h) => h.q && h.at >= 0);
    if (hits.length === 0) break;
    const first = hits.reduce((a, b) => (b.at < a.at ? b : a));
    item.append(rest.slice(0, first.at), el('mark', first.q));
    rest = rest.slice(first.at + first.q.length);
  }
  item.append(rest);
  return item;
}

function renderFeedback(feedback) {
  const box = $('feedback');
  box.replaceChildren();
  $('transcript').replaceChildren();
  if (!feedback) {
    box.append(el('p', 'No feedback yet: it appears once the transcript has arrived (this page updates by itself).', 'pending'));
    return;
  }
  const a = feedback.analysis ?? {};
  box.append(el('div', feedback.score, 'score'), el('div', `${feedback.analyzer}@${feedback.analyzer_version}`, 'analyzer'));
  const scores = el('div', null, 'scores');
  for (const [name, key] of [
    ['communication', 'communicationScore'],
    ['empathy', 'empathyScore'],
    ['problem solving', 'problemSolvingScore'],
    ['overall', 'overallScore'],
  ]) {
    scores.append(el('span', `${name}: ${a[key] ?? '–'}`));
  }
  box.append(scores);
  for (const [title, list] of [
    ['Strengths', a.strengths],
    ['Areas for improvement', a.areasForImprovement],
    ['Key insights', a.keyInsights],
  ]) {
    if (!list?.length) continue;
    const ul = el('ul');
    for (const item of list) ul.append(el('li', typeof item === 'string' ? item : JSON.stringify(item)));
    box.append(el('h4', title), ul);
  }
  const quotes = evidenceByTurn(a);
  (feedback.transcript ?? []).forEach((turn, i) => {
    const li = el('li');
    li.append(el('span', turn.role, 'role'), highlighted(turn.content, quotes.get(i) ?? []));
    $('transcript').append(li);
  });
}

function renderFacts(conversation) {
  const list = $('facts');
  list.replaceChildren();
  for (const o of conversation.objectives ?? []) list.append(el('li', `objective reached: ${o.name}${o.at ? ` (${o.at})` : ''}`));
  for (const g of conversation.guardrails ?? [])
    list.append(el('li', `guardrail triggered: ${g.name}${g.reason ? `: ${typeof g.reason === 'string' ? g.reason : JSON.stringify(g.reason)}` : ''}`));
  if (!list.children.length) list.append(el('li', 'none'));
}

function renderTimeline(trail) {
  const typeAt = new Map(trail.events.map((e) => [e.position, e.type]));
  const rows = [
    ...trail.callbacks.map((c) => ({
      at: c.receivedAt,
      // What each delivery added to the history (nothing: the history held it all already).
      text: `received ${c.eventType ?? 'callback'}${c.produced.length ? `: added ${c.produced.map((p) => `${typeAt.get(p) ?? 'event'} #${p}`).join(', ')}` : ''}`,
      duplicate: c.duplicate,
      reconciled: c.source === 'reconcile',
      kind: 'callback',
      detail: { title: `body as received (sha256 ${c.bodySha256})`, value: c.body },
    })),
    ...trail.events.map((e) => ({
      at: e.recordedAt,
      text: `event ${e.type} #${e.position}`,
      reconciled: e.metadata?.source === 'reconcile',
      kind: 'event',
      detail: { title: 'data and metadata', value: { data: e.data, metadata: e.metadata } },
    })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === 'callback' ? -1 : 1));
  const list = $('timeline');
  list.replaceChildren();
  for (const r of rows) {
    const li = el('li', null, r.kind);
    li.append(el('small', new Date(r.at).toLocaleTimeString()), ' ', r.text);
    if (r.duplicate) li.append(el('span', 'duplicate', 'badge duplicate'));
    if (r.reconciled) li.append(el('span', 'reconciled', 'badge reconciled'));
    // What arrived and what it became, exactly, one click away.
    const details = el('details');
    details.append(el('summary', r.detail.title), el('pre', JSON.stringify(r.detail.value, null, 2)));
    li.append(details);
    list.append(li);
  }
}

/**
 * The recording beside the timeline: an HTML5 player on the short-lived link the service gave, the
 * video fetched from the storage itself. A link that expired mid-way (seeking after 15 minutes) is
 * replaced by a fresh one, once per failure, and playback resumes where it was.
 */
function renderRecording(id, recording) {
  const box = $('recording');
  const player = $('player');
  const note = $('recording-note');
  player.onerror = null;
  // Stops the last conversation's video, if one played.
  player.removeAttribute('src');
  player.load();
  player.hidden = true;
  box.hidden = recording === null;
  if (!recording) return;
  if (recording.status === 'copying') {
    note.textContent = 'Tavus has the recording; it is being copied into storage.';
    return;
  }
  if (recording.status === 'failed') {
    note.textContent = `The recording could not be kept: ${recording.error}`;
    return;
  }
  player.hidden = false;
  player.src = recording.url;
  const megabytes = (recording.bytes / 1e6).toFixed(1);
  note.textContent = `${recording.contentType}, ${megabytes} MB, sha256 ${recording.sha256}`;
  let expiresAt = Date.parse(recording.expiresAt);
  player.onerror = async () => {
    if (Date.now() < expiresAt - 5_000) return;
    const fresh = await api(`/conversations/${id}/recording`, { allowMissing: true }).catch(() => null);
    if (fresh?.status !== 'stored') return;
    const at = player.currentTime;
    expiresAt = Date.parse(fresh.expiresAt);
    player.src = fresh.url;
    player.currentTime = at;
  };
}

function renderVersions(versions) {
  const table = $('versions');
  table.replaceChildren();
  const head = el('tr');
  for (const h of ['analyzer', 'score', 'scored']) head.append(el('th', h));
  table.append(head);
  for (const v of versions) {
    const row = el('tr');
    const name = el('td', v.analyzer);
    if (v.live) name.append(el('span', 'live', 'badge live'));
    row.append(name, el('td', v.score), el('td', new Date(v.scoredAt).toLocaleString()));
    table.append(row);
  }
}

// --- the operator's panel ---------------------------------------------------------------------

async function refreshOperator() {
  const [lag, parked] = await Promise.all([api('/admin/lag'), api('/admin/deadletters')]);
  const table = $('lag');
  table.replaceChildren();
  const head = el('tr');
  for (const h of ['behind the history', 'events', 'oldest waiting (s)']) head.append(el('th', h));
  table.append(head);
  for (const p of lag.projections) {
    const row = el('tr');
    row.append(el('td', p.name), el('td', p.events), el('td', p.seconds.toFixed(1)));
    table.append(row);
  }
  // Without KURRENTDB_URL nothing publishes, and a count would only grow with the history.
  const relay = el('tr');
  relay.id = 'relay-lag';
  if (lag.relay.enabled) relay.append(el('td', 'relay to KurrentDB'), el('td', lag.relay.events), el('td', lag.relay.seconds.toFixed(1)));
  else {
    const note = el('td', 'not configured (KURRENTDB_URL is not set)', 'muted');
    note.colSpan = 2;
    relay.append(el('td', 'relay to KurrentDB'), note);
  }
  table.append(relay);
  const list = $('dead-letters');
  list.replaceChildren();
  for (const d of parked.deadLetters) {
    const li = el('li');
    const retry = el('button', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', () => retryDeadLetters(d.streamId).catch(showError));
    li.append(
      el('strong', d.streamId),
      ` (${d.projection}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.retryRequested ? ', retry asked' : ''}): `,
      el('code', d.error),
      ' ',
      retry,
    );
    list.append(li);
  }
  $('no-dead-letters').hidden = parked.deadLetters.length > 0;
  $('retry-all').hidden = parked.deadLetters.length === 0;
}

async function retryDeadLetters(streamId) {
  await api('/admin/deadletters/retry', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(streamId ? { streamId } : {}),
  });
  await refreshOperator();
}

// --- start ------------------------------------------------------------------------------------

const comparing = compareAnalyzers({ api, el, open: openConversation, showError });

$('sign-in-button').addEventListener('click', () => signIn($('token').value.trim()));
$('sign-out').addEventListener('click', signOut);
$('more').addEventListener('click', () => loadConversations(false).catch(showError));
$('retry-all').addEventListener('click', () => retryDeadLetters(null).catch(showError));
// The operator's panel follows what the projections do.
setInterval(() => {
  if (token && !$('operator').hidden) refreshOperator().catch(showError);
}, 2000);

const fromUrl = new URLSearchParams(window.location.hash.slice(1)).get('token');
if (fromUrl) {
  // Out of the address bar (and so out of history and bookmarks) at once.
  history.replaceState(null, '', window.location.pathname + window.location.search);
  signIn(fromUrl);
} else if (sessionStorage.getItem(TOKEN_KEY)) {
  signIn(sessionStorage.getItem(TOKEN_KEY));
}
