import { z } from 'zod';

// Configuration is read once, at the composition root, and passed down as a value.
// A bad value stops the service with a message that names the variable.

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A duration as seconds (`3600`) or with a unit (`90s`, `30m`, `12h`, `7d`), in seconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*[smhd]?$/, 'must be seconds, or a number with s, m, h or d (e.g. 7d)')
  .transform((v) => {
    const n = Number.parseFloat(v);
    const unit = v.at(-1)!;
    return n * ({ s: 1, m: 60, h: 3600, d: 86400 }[unit] ?? 1);
  });

const schema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  TAVUS_API_KEY: optionalString,
  TAVUS_API_URL: z.url({ protocol: /^https?$/ }).default('https://tavusapi.com'),
  AUTH_JWT_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  WEBHOOK_AUTH: z.enum(['token', 'none']).default('token'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ANALYZER: optionalString,
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  CALLBACK_TOKEN_TTL: duration.default(7 * 86400),
  SCORING_THREADS: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(64).optional()),
  RECONCILE_INTERVAL_S: duration.default(60),
  // Tavus's default max_call_duration (3600 s) plus five minutes.
  RECONCILE_AFTER_S: duration.default(3900),
  RECONCILE_TRANSCRIPT_AFTER_S: duration.default(300),
  RECONCILE_GIVE_UP_AFTER_S: duration.default(7 * 86400),
  RECONCILE_RATE_PER_S: z.coerce.number().positive().max(1000).default(2),
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  databaseUrl: string | undefined;
  port: number;
  publicUrl: string;
  tavusApiKey: string | undefined;
  tavusApiUrl: string;
  /** Undefined means: use (or create) the development secret kept in the data directory. */
  authJwtSecret: string | undefined;
  webhookAuth: 'token' | 'none';
  logLevel: Env['LOG_LEVEL'];
  /** The analyzer a fresh database starts serving; later switches go through `feedback use`. */
  analyzer: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  /** Seconds after its conversation started that a callback URL's token is honoured. */
  callbackTokenTtlSeconds: number;
  /** Threads a rebuild scores on; undefined: one fewer than the cores. */
  scoringThreads: number | undefined;
  reconcile: ReconcileConfig;
}

/** Reconciliation from Tavus's verbose GET (src/reactors/reconcile/); the README explains each. */
export interface ReconcileConfig {
  /** Seconds between sweeps; 0: the service does not sweep (`tavus-feedback reconcile` still works). */
  intervalSeconds: number;
  /** A conversation still lacking its end (or end and transcript) this long after it started is pulled. */
  afterSeconds: number;
  /** One that ended but has no transcript this long after the end is pulled, sooner. */
  transcriptAfterSeconds: number;
  /** Past this age the sweeper stops asking about a conversation (by hand, `--older-than` still can). */
  giveUpAfterSeconds: number;
  /** Requests to Tavus, at most, per second (a sliding window). */
  ratePerSecond: number;
  /** Requests to Tavus in flight at once. */
  concurrency: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    tavusApiKey: e.TAVUS_API_KEY,
    tavusApiUrl: e.TAVUS_API_URL.replace(/\/+$/, ''),
    authJwtSecret: e.AUTH_JWT_SECRET,
    webhookAuth: e.WEBHOOK_AUTH,
    logLevel: e.LOG_LEVEL,
    analyzer: e.ANALYZER,
    dataDir: e.DATA_DIR,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    callbackTokenTtlSeconds: e.CALLBACK_TOKEN_TTL,
    scoringThreads: e.SCORING_THREADS,
    reconcile: {
      intervalSeconds: e.RECONCILE_INTERVAL_S,
      afterSeconds: e.RECONCILE_AFTER_S,
      transcriptAfterSeconds: e.RECONCILE_TRANSCRIPT_AFTER_S,
      giveUpAfterSeconds: e.RECONCILE_GIVE_UP_AFTER_S,
      ratePerSecond: e.RECONCILE_RATE_PER_S,
      concurrency: e.RECONCILE_CONCURRENCY,
    },
  };
}
