import type pg from 'pg';
import { countDeadLetters } from '../projections/runtime/deadLetters.js';
import { readLag, readReaderLags } from '../projections/runtime/lag.js';
import type { ReconcileMetrics } from '../reactors/reconcile/metrics.js';
import type { CopierMetrics } from '../reactors/recordings/copier.js';
import { countRecordings } from '../reactors/recordings/counts.js';
import { readRelayLag } from '../reactors/relay/lag.js';
import type { RelayMetrics } from '../reactors/relay/relay.js';
import { PREFIX, type Metrics, type Sample } from './registry.js';

// What the service reports besides HTTP and callbacks: read from the database at scrape time (on the
// probes' own connections, so a scrape never waits behind callbacks) and from reconciliation's counters.

/** One read shared by the gauges of one scrape (they are read together), made again at the next. */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
}

export function addDatabaseGauges(metrics: Metrics, probePool: pg.Pool): void {
  // Both lag gauges come from one query.
  const lag = sharedPerScrape(() => readLag(probePool));
  metrics.addGauge({
    name: `${PREFIX}projection_lag_events`,
    help: 'Events committed to the history that a live projection has not applied yet',
    labelNames: ['projection'],
    read: async () => (await lag()).map((l) => ({ labels: { projection: l.name }, value: l.events })),
  });
  metrics.addGauge({
    name: `${PREFIX}projection_lag_seconds`,
    help: 'How long the oldest event a live projection has not applied has been in the history (0 when caught up)',
    labelNames: ['projection'],
    read: async () => (await lag()).map((l) => ({ labels: { projection: l.name }, value: l.seconds })),
  });
  const readers = sharedPerScrape(() => readReaderLags(probePool));
  metrics.addGauge({
    name: `${PREFIX}reader_lag_events`,
    help: 'Committed events a reader of the history (projection:<name>, relay:<name>, reconcile) has not read yet',
    labelNames: ['reader'],
    read: async () => (await readers()).map((l) => ({ labels: { reader: l.name }, value: l.events })),
  });
  metrics.addGauge({
    name: `${PREFIX}reader_lag_seconds`,
    help: 'How long the oldest event a reader of the history has not read has been in it (0 when caught up)',
    labelNames: ['reader'],
    read: async () => (await readers()).map((l) => ({ labels: { reader: l.name }, value: l.seconds })),
  });
  metrics.addGauge({
    name: `${PREFIX}dead_letters`,
    help: 'Conversations a projection could not apply and parked (tavus-feedback deadletters)',
    read: () => countDeadLetters(probePool),
  });
}

/** How far the outbox relay is behind the history, read from Postgres, so any instance can answer. */
export function addRelayGauges(metrics: Metrics, probePool: pg.Pool): void {
  const lag = sharedPerScrape(() => readRelayLag(probePool));
  metrics.addGauge({
    name: `${PREFIX}relay_lag_events`,
    help: 'Committed events the outbox relay has not published to KurrentDB yet',
    read: async () => (await lag()).events,
  });
  metrics.addGauge({
    name: `${PREFIX}relay_lag_seconds`,
    help: 'How long the oldest event the relay has not published has been in the history (0 when caught up)',
    read: async () => (await lag()).seconds,
  });
}

/** What this instance's relay did since start (it publishes only while it holds the lease). */
export function addRelayCounters(metrics: Metrics, read: () => RelayMetrics): void {
  const counter = (name: string, help: string, pick: (m: RelayMetrics) => number) =>
    metrics.addCounter({ name: `${PREFIX}relay_${name}_total`, help, read: () => [{ value: pick(read()) }] });
  counter('published_events', 'Events this instance published to KurrentDB (sent again after a reset or a retry: counted again)', (m) => m.publishedEvents);
  counter('failed_batches', 'Relay batches that failed and were tried again (KurrentDB or Postgres unavailable)', (m) => m.failedBatches);
  counter('parked_streams', 'Streams KurrentDB refused for good, parked in dead_letters as relay:kurrentdb', (m) => m.parkedStreams);
  counter('unparked_streams', 'Parked streams published after a retry', (m) => m.unparkedStreams);
}

/** Reconciliation's counters since start (README: "When callbacks are lost"). */
export function addReconcileCounters(metrics: Metrics, read: () => ReconcileMetrics): void {
  const counter = (name: string, help: string, pick: (m: ReconcileMetrics) => number) =>
    metrics.addCounter({ name: `${PREFIX}reconcile_${name}_total`, help, read: () => [{ value: pick(read()) }] });
  counter('passes', 'Reconciliation passes run', (m) => m.passes);
  counter('requests', 'Requests sent to Tavus for conversations', (m) => m.requests);
  counter('pulled', 'Answers from Tavus replayed through the callback command', (m) => m.pulled);
  counter('recovered_events', 'Events new to the history that reconciliation recovered', (m) => m.recoveredEvents);
  counter('unreadable_events', 'Events in Tavus answers that were not a readable callback', (m) => m.unreadableEvents);
  counter('refused_events', 'Events in Tavus answers that the callback command refused', (m) => m.refusedEvents);
  const byLabel = (values: Record<string, number>, label: string): Sample[] => Object.entries(values).map(([k, value]) => ({ labels: { [label]: k }, value }));
  metrics.addCounter({
    name: `${PREFIX}reconcile_results_total`,
    help: 'Conversations Tavus answered for, by what they still lacked afterwards',
    labelNames: ['result'],
    read: () => byLabel(read().results, 'result'),
  });
  metrics.addCounter({
    name: `${PREFIX}reconcile_failures_total`,
    help: 'Conversations that could not be fetched from Tavus, by kind',
    labelNames: ['kind'],
    read: () => byLabel(read().failed, 'kind'),
  });
}

/** Where recordings stand, read from Postgres (any instance answers), when recordings are set up. */
export function addRecordingGauges(metrics: Metrics, probePool: pg.Pool): void {
  const counts = sharedPerScrape(() => countRecordings(probePool));
  metrics.addGauge({
    name: `${PREFIX}recordings`,
    help: "Recordings by status: copying into the app's storage, stored (copied and checked), failed (Tavus reported it could not copy)",
    labelNames: ['status'],
    read: async () => {
      const c = await counts();
      return (['copying', 'stored', 'failed'] as const).map((status) => ({ labels: { status }, value: c[status] }));
    },
  });
  metrics.addGauge({
    name: `${PREFIX}recordings_parked`,
    help: 'Conversations whose recording copy keeps failing, parked as reactor:recordings@1 (tavus-feedback recordings status)',
    read: async () => (await counts()).parked,
  });
}

/** What this instance's recordings reactor did since start (it copies only while it holds the lease). */
export function addRecordingCounters(metrics: Metrics, read: () => CopierMetrics): void {
  metrics.addCounter({
    name: `${PREFIX}recording_copies_total`,
    help: 'Recording copies by outcome: stored, already-stored (another copy was recorded first), deferred (failed, tried again later), parked',
    labelNames: ['outcome'],
    read: () => Object.entries(read().outcomes).map(([outcome, value]) => ({ labels: { outcome }, value })),
  });
  metrics.addCounter({
    name: `${PREFIX}recording_bytes_stored_total`,
    help: "Bytes of recordings this instance copied into the app's storage and checked",
    read: () => [{ value: read().bytesStored }],
  });
}
