import pg from 'pg';
import { TEST_DATA_KEK } from './keys.js';
import type { Analyzer } from '../../src/analysis/types.js';
import pino from 'pino';
import { issueUserToken } from '../../src/http/auth.js';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/service.js';
import { createTestDatabase } from './db.js';
import type { PgBouncer } from './pgbouncer.js';
import { startTavusStandIn, type TavusStandIn } from './tavusStandIn.js';

// A whole service on loopback over a database of its own, with the Tavus stand-in: what the e2e
// tests talk to over real HTTP.

export const JWT_SECRET = 'test-secret-that-is-long-enough';

export interface Harness {
  service: Service;
  tavus: TavusStandIn;
  db: pg.Pool;
  databaseUrl: string;
  scenarioId: string;
  tokenFor(userId: string): Promise<string>;
  /** POST /conversations as `userId`; answers the parsed 201 body. */
  startConversation(
    userId: string,
    body?: Record<string, unknown>,
  ): Promise<{ id: string; conversationId: string; conversationUrl: string; callbackUrl: string }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, userId: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    webhookAuth?: 'token' | 'none';
    analyzer?: string;
    lookupAnalyzer?: (id: string) => Analyzer | undefined;
    /** More configuration, as environment variables (AUTH_JWKS_URL, RATE_LIMIT_*, RECONCILE_*, ...). */
    env?: Record<string, string>;
    logger?: pino.Logger;
    serviceOptions?: Parameters<typeof startService>[3];
    /** Reach the database through this transaction pooler, with the direct URL as DATABASE_DIRECT_URL. */
    pooler?: PgBouncer;
  } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const tavus = await startTavusStandIn();
  const config = loadConfig({
    PORT: '0',
    TAVUS_API_URL: tavus.url,
    TAVUS_API_KEY: tavus.apiKey,
    WEBHOOK_AUTH: options.webhookAuth ?? 'token',
    FEEDBACK_DEFAULT_ANALYZER: options.analyzer ?? '',
    // The sweeper is off unless a test's env turns it on.
    RECONCILE_INTERVAL_S: '0',
    DATA_KEK: TEST_DATA_KEK,
    ...options.env,
  });
  const service = await startService(
    {
      ...config,
      databaseUrl: options.pooler ? options.pooler.via(database.url) : database.url,
      databaseDirectUrl: options.pooler ? database.url : undefined,
      jwtSecret: JWT_SECRET,
      publicUrl: 'http://feedback.test',
    },
    options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    options.lookupAnalyzer,
    options.serviceOptions,
  );
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  const scenario = await db.query<{ id: string }>(
    `INSERT INTO scenarios (name, description) VALUES ('Giving feedback', 'Tell a report their work slipped') RETURNING id`,
  );
  const tokenFor = (userId: string) => issueUserToken(JWT_SECRET, userId);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(service.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    service,
    tavus,
    db,
    databaseUrl: database.url,
    scenarioId: scenario.rows[0]!.id,
    tokenFor,
    async startConversation(userId, body) {
      const response = await post(
        '/conversations',
        { scenarioId: scenario.rows[0]!.id, replicaId: 'r-test', ...body },
        { authorization: `Bearer ${await tokenFor(userId)}` },
      );
      if (response.status !== 201) throw new Error(`POST /conversations answered ${response.status}: ${await response.text()}`);
      const answer = (await response.json()) as { id: string; conversationId: string; conversationUrl: string };
      const sent = tavus.created.find((c) => c.answer.conversation_id === answer.conversationId);
      return { ...answer, callbackUrl: String(sent?.body.callback_url) };
    },
    post,
    async get(path, userId) {
      return fetch(service.url + path, { headers: { authorization: `Bearer ${await tokenFor(userId)}` } });
    },
    async close() {
      await service.stop();
      await db.end();
      await tavus.close();
      await database.drop();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A response body as JSON, typed loosely for assertions. */
export async function json(response: Response): Promise<Json> {
  return response.json();
}

/** The path part of a callback URL the service gave Tavus. */
export function callbackPath(callbackUrl: string): string {
  return new URL(callbackUrl).pathname;
}
