import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import pino, { type Logger } from 'pino';
import { DEFAULT_ANALYZER, findAnalyzer } from './analysis/registry.js';
import type { Analyzer } from './analysis/types.js';
import { CallbackRecorder } from './commands/callbackRecorder.js';
import { callbackTokens } from './commands/callbackToken.js';
import type { Config } from './config.js';
import { createPool } from './db/pool.js';
import { createApp } from './http/app.js';
import { initLiveAnalyzer, liveProjections } from './projections/live.js';
import { ProjectionRunner, type LiveRunner } from './projections/runner.js';
import { ThreadedRunner } from './projections/threadedRunner.js';
import { instanceName } from './reactors/lease.js';
import { startRelay, type RunningRelay } from './reactors/relay/startRelay.js';
import { createTavusClient } from './tavus/client.js';

// The composition root: configuration in, a running service out. main.ts adds the database
// (embedded or not) and signals; tests call this directly.

export interface Service {
  url: string;
  pool: pg.Pool;
  runner: LiveRunner;
  recorder: CallbackRecorder;
  logger: Logger;
  /** The outbox relay to KurrentDB (KURRENTDB_URL set); it publishes while this instance holds its lease. */
  relay: RunningRelay | undefined;
  stop(): Promise<void>;
}

export async function startService(
  config: Config & { databaseUrl: string; jwtSecret: string },
  logger?: Logger,
  /** Where analyzer ids are looked up; tests add analyzers of their own. */
  lookupAnalyzer: (id: string) => Analyzer | undefined = findAnalyzer,
): Promise<Service> {
  const log = logger ?? pino({ level: config.logLevel });
  const pool = createPool(config.databaseUrl, { max: 20, parallelQuery: false });
  const live = await initLiveAnalyzer(pool, config.analyzer ?? DEFAULT_ANALYZER, lookupAnalyzer);
  if (config.analyzer && config.analyzer !== live) {
    log.warn({ live, configured: config.analyzer }, 'ANALYZER differs from the analyzer feedback_sessions serves; build and switch with `tavus-feedback rebuild feedback --analyzer`');
  }

  const recorder = new CallbackRecorder(pool);
  const onError = (err: unknown) => log.error({ err }, 'live projections failed; they retry by themselves');
  // Projections run in a thread of their own; analyzers given by a caller (tests) are functions a
  // thread cannot receive, so those run on this thread.
  const runner: LiveRunner =
    lookupAnalyzer === findAnalyzer
      ? new ThreadedRunner({ databaseUrl: config.databaseUrl }, onError)
      : new ProjectionRunner(pool, { projections: liveProjections(lookupAnalyzer), onError });
  await runner.start();
  const relay = config.kurrentDbUrl
    ? await startRelay({ databaseUrl: config.databaseUrl, kurrentDbUrl: config.kurrentDbUrl, owner: instanceName(), logger: log })
    : undefined;

  const app = createApp({
    pool,
    recorder,
    tavus: createTavusClient({ apiUrl: config.tavusApiUrl, apiKey: config.tavusApiKey }),
    tokens: callbackTokens(config.jwtSecret),
    jwtSecret: config.jwtSecret,
    publicUrl: config.publicUrl,
    webhookAuth: config.webhookAuth,
    logger: log,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  // Load generators keep connections open; don't let idle sockets linger past a reply.
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  log.info({ port, analyzer: live }, 'tavus-feedback listening');

  return {
    url: `http://127.0.0.1:${port}`,
    pool,
    runner,
    recorder,
    logger: log,
    relay,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await recorder.drained();
      await runner.stop();
      await relay?.stop();
      await pool.end();
    },
  };
}
