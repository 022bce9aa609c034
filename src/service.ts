import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import pino, { type Logger } from 'pino';
import { findAnalyzer } from './analysis/registry.js';
import type { Analyzer } from './analysis/types.js';
import { callbackTokens } from './commands/callbackToken.js';
import { CallbackHandler } from './commands/recordCallback/handler.js';
import { conversationStarts } from './commands/startConversation/handler.js';
import { projectConversations } from './projections/readModels/conversations.js';
import { ConfigError, type Config } from './config.js';
import { Keyring } from './privacy/keyring.js';
import { eraseConversation, type ErasedBy, type ErasureTarget } from './privacy/erase.js';
import { appendWaitReporter } from './db/appendLock.js';
import { Listener } from './db/listener.js';
import { createPool } from './db/pool.js';
import { checkDatabaseUrls } from './db/sessions.js';
import { createApp } from './http/app.js';
import { trackConnections } from './http/connections.js';
import { FeedbackHub } from './http/live/feedbackHub.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import {
  addDatabaseGauges,
  addReconcileCounters,
  addRecordingCounters,
  addRecordingGauges,
  addRelayCounters,
  addRelayGauges,
} from './metrics/serviceGauges.js';
import { initLiveAnalyzer, liveProjections } from './projections/runtime/live.js';
import { ProjectionRunner, type LiveRunner } from './projections/runtime/runner.js';
import type { Parked } from './projections/runtime/isolation.js';
import { ThreadedRunner } from './projections/runtime/threadedRunner.js';
import { instanceName } from './reactors/lease.js';
import { ReconcileSweeper } from './reactors/reconcile/sweeper.js';
import { RetentionSweeper } from './reactors/retention.js';
import { startRelay, type RunningRelay } from './reactors/relay/startRelay.js';
import { createTavusClient } from './tavus/client.js';
import { LLM_ANALYZER_ID } from './analysis/llm/version.js';
import type { LlmReactorHandle, LlmReactorOverrides } from './reactors/llmAnalysis/startLlmReactor.js';
import type { RecordingsHandle, RecordingsOverrides } from './reactors/recordings/startRecordingsReactor.js';

// The composition root: configuration in, a running service out. main.ts adds the database
// (embedded or not) and signals; tests call this directly.

export interface Service {
  url: string;
  /** The express app (tests enumerate its routes). */
  app: Express;
  pool: pg.Pool;
  runner: LiveRunner;
  callbacks: CallbackHandler;
  /** Reconciliation from Tavus's verbose GET; null when off (RECONCILE_INTERVAL_S=0, or no TAVUS_API_KEY). */
  reconcile: ReconcileSweeper | null;
  /** The llm@1 reactor, when LLM_MODEL is set. */
  llm: LlmReactorHandle | undefined;
  logger: Logger;
  /** The outbox relay to KurrentDB (KURRENTDB_URL set); it publishes while this instance holds its lease. */
  relay: RunningRelay | undefined;
  /** The recordings reactor (RECORDINGS_S3_*, TAVUS_RECORDING_* set); it copies while this instance holds its lease. */
  recordings: RecordingsHandle | undefined;
  /** Erases conversations past RETENTION_DAYS; null when it is unset. */
  retention: RetentionSweeper | null;
  /** What GET /metrics serves; parts started later (the relay) add their gauges with `metrics.addGauge`. */
  metrics: Metrics;
  stop(): Promise<void>;
}

export async function startService(
  config: Config & { databaseUrl: string; jwtSecret: string },
  logger?: Logger,
  /** Where analyzer ids are looked up; tests add analyzers of their own. */
  lookupAnalyzer: (id: string) => Analyzer | undefined = findAnalyzer,
  /** Tests shorten the reactors' waits. */
  options: { llm?: LlmReactorOverrides; recordings?: RecordingsOverrides; retention?: { intervalMs?: number; firstAfterMs?: number } } = {},
): Promise<Service> {
  const log = logger ?? pino({ level: config.logLevel });
  // Personal data is sealed under keys this wraps (src/privacy/); without it nothing may be stored.
  if (config.dataKeks.length === 0) throw new ConfigError('Invalid configuration:\n  DATA_KEK: required (base64 of 32 random bytes)');
  const keyring = new Keyring(config.dataKeks);
  // Refuses a transaction pooler without a session URL beside it (src/db/sessions.ts).
  const database = await checkDatabaseUrls(config.databaseUrl, config.databaseDirectUrl);
  const pooled = database.pooled;
  const pool = createPool(database.url, { max: 20, parallelQuery: false, statementTimeoutMs: 10_000, pooled });
  // Health probes get connections of their own: a probe must never wait behind callbacks, nor take
  // a connection one needs.
  const probePool = createPool(database.url, { max: 2, applicationName: 'tavus-feedback probes', statementTimeoutMs: 2_000, pooled });
  for (const warning of config.warnings) log.warn(warning);
  const live = await initLiveAnalyzer(pool, config.defaultAnalyzer, lookupAnalyzer);
  if (live !== config.defaultAnalyzer) {
    // A database keeps what it serves until an operator switches: a new default (or a new setting)
    // must not change the scores users already see. Said louder when an operator asked for it.
    const message = `this database serves ${live}, not ${config.defaultAnalyzer} (${config.defaultAnalyzerFrom === 'default' ? "this build's default for fresh installs" : config.defaultAnalyzerFrom}); to switch, build it with \`tavus-feedback rebuild feedback --analyzer ${config.defaultAnalyzer}\``;
    if (config.defaultAnalyzerFrom === 'default') log.info({ live, default: config.defaultAnalyzer }, message);
    else log.warn({ live, configured: config.defaultAnalyzer }, message);
  }

  // One LISTEN connection for this thread's readers; they poll too, so it only makes them sooner.
  const listener = new Listener(database.sessionUrl, {
    onError: (err) => log.warn({ err }, 'LISTEN connection lost; readers poll every 500 ms until it is back'),
    onRestored: () => log.info('LISTEN connection back'),
  });
  await listener.start();
  const notificationsArrive = await listener.probe(pool);
  if (!notificationsArrive) {
    log.warn(
      'notifications sent on DATABASE_URL do not reach the LISTEN connection (is DATABASE_DIRECT_URL the same database?); ' +
        'readers find new events by polling every 500 ms instead',
    );
  }

  const onError = (err: unknown) => log.error({ err }, 'live projections failed; they retry by themselves');
  const parkedEvents = {
    onParked: (p: Parked) =>
      log.warn(
        { projection: p.projection, streamId: p.streamId, err: p.error },
        'a conversation could not be projected and is parked; the others go on (tavus-feedback deadletters)',
      ),
    onRetried: (r: { projection: string; streamId: string; error: Error | null }) =>
      r.error
        ? log.warn({ ...r, err: r.error }, 'a parked conversation failed again')
        : log.info({ projection: r.projection, streamId: r.streamId }, 'a parked conversation was applied'),
  };
  // Projections run in a thread of their own; analyzers given by a caller (tests) are functions a
  // thread cannot receive, so those run on this thread.
  const runner: LiveRunner =
    lookupAnalyzer === findAnalyzer
      ? new ThreadedRunner({ databaseUrl: database.url, pooled, listenUrl: database.sessionUrl, keks: config.dataKeks }, onError, parkedEvents)
      : new ProjectionRunner(pool, { projections: liveProjections(keyring, lookupAnalyzer), listener, onError, ...parkedEvents });
  await runner.start();

  // Every write goes through the one door (src/commands/groupCommit.ts); this instance's projections
  // look at once, other instances hear the NOTIFY or see the head move.
  const reportWait = appendWaitReporter(probePool, (holder) =>
    log.warn(holder, 'appends are waiting for a transaction that holds the append lock (it inserted events and has not committed)'),
  );
  const door = {
    onAppended: () => runner.wake(),
    onSlowAppend: () => void reportWait().catch((err: unknown) => log.debug({ err }, 'could not look up who holds the append lock')),
    projectInline: (client: pg.PoolClient, streamIds: string[]) => projectConversations(client, keyring, streamIds),
  };
  const callbacks = new CallbackHandler(pool, keyring, door);
  const starts = conversationStarts(pool, keyring, door);
  // This instance's name in the leases table, the same for every job it holds.
  const owner = instanceName();
  const relay = config.kurrentDbUrl
    ? await startRelay({ databaseUrl: database.url, pooled, listener, kurrentDbUrl: config.kurrentDbUrl, owner, logger: log })
    : undefined;

  const metrics = createMetrics({ onReadFailed: (name, err) => log.warn({ err, metric: name }, 'a metric could not be read for this scrape') });
  addDatabaseGauges(metrics, probePool);

  metrics.addGauge({
    name: 'tavus_feedback_listening',
    help: '1 while this instance hears notifications (LISTEN connected and notifications arrive), 0 while it polls alone',
    read: () => (listener.connected && notificationsArrive ? 1 : 0),
  });

  const feedbackHub = new FeedbackHub(pool, {
    ...config.feedbackStreams,
    listener,
    onError: (err) => log.warn({ err }, 'live feedback streams: a check failed; they retry by themselves'),
  });
  await feedbackHub.start();
  metrics.addGauge({ name: 'tavus_feedback_feedback_streams', help: 'Live feedback streams open on this instance', read: () => feedbackHub.openStreams });

  const tavus = createTavusClient({ apiUrl: config.tavusApiUrl, apiKey: config.tavusApiKey });
  // With LLM_MODEL set the llm@1 reactor runs (under a lease: one instance asks at a time) and asks
  // the model only while llm@1's answers are wanted: llm@1 is live, or a rebuild of it is under way,
  // so a `rebuild feedback --analyzer llm@1` from the CLI is served by the service already running.
  if (live === LLM_ANALYZER_ID && !config.llm) {
    log.error(`${LLM_ANALYZER_ID} is live but LLM_MODEL is not set: new transcripts get no feedback until it is (nothing is lost meanwhile)`);
  }
  // Loaded only then: the model client and the tokenizer's tables weigh some 60 MB.
  const llm = config.llm
    ? await (
        await import('./reactors/llmAnalysis/startLlmReactor.js')
      ).startLlmReactor({ url: database.url, pooled, listener, keyring }, config.llm, log, owner, options.llm)
    : undefined;

  // Loaded only then, like the llm reactor: the AWS SDK weighs some tens of megabytes.
  const recordings = config.recordings
    ? await (
        await import('./reactors/recordings/startRecordingsReactor.js')
      ).startRecordingsReactor({ url: database.url, pooled, listener, keyring }, config.recordings, log, owner, options.recordings)
    : undefined;
  const recordingLinks = config.recordings ? await (await import('./storage/links.js')).openRecordingLinks(config.recordings.storage) : undefined;
  const recordingRemover = config.recordings ? (await import('./storage/remove.js')).openRecordingRemover(config.recordings.storage) : undefined;
  const erasure = { pool, removeRecording: recordingRemover?.remove };
  const erase = (target: ErasureTarget, by: ErasedBy) => eraseConversation(erasure, target, by);
  if (recordings) {
    addRecordingGauges(metrics, probePool);
    addRecordingCounters(metrics, () => recordings.metrics());
  }

  const app = createApp({
    pool,
    probePool,
    callbacks,
    starts,
    tavus,
    tokens: callbackTokens(config.jwtSecret),
    userAuth: {
      // Without AUTH_JWT_SECRET the development secret signs users' tokens, unless the keys come from a JWKS.
      hs256Secret: config.authJwtSecret ?? (config.authJwksUrl ? undefined : config.jwtSecret),
      jwksUrl: config.authJwksUrl,
      audience: config.authJwtAudience,
      jwksCooldownMs: config.authJwksCooldownMs,
      jwksCacheMaxAgeMs: config.authJwksCacheMaxAgeMs,
    },
    rateLimits: config.rateLimit,
    conversationCaps: config.conversationCaps,
    trustProxyHops: config.trustProxyHops,
    publicUrl: config.publicUrl,
    callbackPolicy: { requireToken: config.webhookAuth === 'token', tokenTtlSeconds: config.callbackTokenTtlSeconds },
    logger: log,
    metrics: { metrics, token: config.metricsToken },
    relayEnabled: relay !== undefined,
    isAnalyzer: (id) => lookupAnalyzer(id) !== undefined,
    feedbackHub,
    recordings: recordingLinks && { links: recordingLinks.links, mediaOrigin: recordingLinks.mediaOrigin },
    keyring,
    erase,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  const connections = trackConnections(server);
  // Load generators keep connections open; don't let idle sockets linger past a reply.
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  log.info({ port, analyzer: live }, 'tavus-feedback listening');

  const sweeping = config.reconcile.intervalSeconds > 0 && config.tavusApiKey !== undefined;
  if (config.reconcile.intervalSeconds > 0 && !sweeping) log.warn('TAVUS_API_KEY is not set: lost callbacks will not be reconciled');
  const reconcile = sweeping
    ? new ReconcileSweeper({ pool, callbacks, tavus, config: config.reconcile, tokenTtlSeconds: config.callbackTokenTtlSeconds, log })
    : null;
  reconcile?.start();
  const retention = config.retentionDays === undefined ? null : new RetentionSweeper({ erasure, days: config.retentionDays, log, ...options.retention });
  retention?.start();
  if (reconcile) addReconcileCounters(metrics, () => reconcile.metrics());
  if (relay) {
    addRelayGauges(metrics, probePool);
    addRelayCounters(metrics, () => relay.relay.metrics());
  }

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    pool,
    runner,
    callbacks,
    reconcile,
    llm,
    logger: log,
    relay,
    recordings,
    retention,
    metrics,
    async stop() {
      // It records through the callbacks handler: stopped first, so the drain below includes its work.
      await reconcile?.stop();
      await retention?.stop();
      // Open streams would keep the server from closing.
      await feedbackHub.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        connections.closeIdle();
      });
      await callbacks.drained();
      await llm?.stop();
      await recordings?.stop();
      recordingLinks?.close();
      recordingRemover?.close();
      await runner.stop();
      await relay?.stop();
      await listener.stop();
      await pool.end();
      await probePool.end();
    },
  };
}
