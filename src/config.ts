import { z } from 'zod';
import { KekError, parseKek, type Kek } from './privacy/kek.js';
import { DEFAULT_ANALYZER } from './analysis/defaultAnalyzer.js';
import { ANALYZER_ID } from './validation.js';

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
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

const positiveInteger = z.coerce.number().int().min(1);

const flag = z.enum(['true', 'false'], { error: 'must be true or false' });
/** S3, Supabase Storage, R2 and MinIO bucket names; Supabase allows underscores too. */
const bucketName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/, 'must be a bucket name: 3 to 63 letters, digits, dots, hyphens or underscores');
/** Tavus writes to AWS S3, whose bucket names are stricter. */
const awsBucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots or hyphens');
const region = z.string().regex(/^[a-z0-9-]{2,32}$/, 'must be a region name such as us-east-1 (R2: auto)');
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as us-east-1');
const roleArn = z.string().regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN: arn:aws:iam::<account id>:role/<name>');
const endpoint = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const schema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  DATABASE_DIRECT_URL: optionalString.pipe(
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
  FEEDBACK_DEFAULT_ANALYZER: optionalString.pipe(z.string().regex(ANALYZER_ID, 'must look like name@version, e.g. coach@1').optional()),
  // Deprecated: the old name of FEEDBACK_DEFAULT_ANALYZER, still read (with a warning) so that an
  // install configured before the rename starts as it did.
  ANALYZER: optionalString.pipe(z.string().regex(ANALYZER_ID, 'must look like name@version, e.g. coach@1').optional()),
  DATA_DIR: z.string().default('.data'),
  // Personal data's key-encryption key (src/privacy/): base64 of 32 bytes; the previous ones, comma
  // separated, while `tavus-feedback keys rotate` re-wraps the data keys.
  DATA_KEK: optionalString,
  DATA_KEK_PREVIOUS: optionalString,
  RETENTION_DAYS: optionalString.pipe(z.coerce.number<string | undefined>().positive().max(36_500).optional()),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  CALLBACK_TOKEN_TTL: duration.default(7 * 86400),
  SCORING_THREADS: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(64).optional()),
  LLM_BASE_URL: z.url({ protocol: /^https?$/ }).default(OPENAI_BASE_URL),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  LLM_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(2),
  LLM_MAX_PROMPT_TOKENS: z.coerce.number().int().min(4000).max(2_000_000).default(16_000),
  LLM_TIMEOUT_S: z.coerce.number().positive().max(600).default(60),
  // Users' tokens, their rate limits and what they may ask Tavus for (src/http/).
  AUTH_JWT_AUDIENCE: z.string().trim().min(1, 'must not be empty').default('authenticated'),
  AUTH_JWKS_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  AUTH_JWKS_COOLDOWN: duration.default(30),
  AUTH_JWKS_CACHE_MAX_AGE: duration.default(600),
  RATE_LIMIT_WINDOW: duration.pipe(z.number().min(1, 'must be at least 1s').max(86400, 'must be at most 1d')).default(60),
  RATE_LIMIT_PER_USER: positiveInteger.default(120),
  RATE_LIMIT_PER_ADDRESS: positiveInteger.default(600),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  TAVUS_MAX_CALL_DURATION: duration.pipe(z.number().int('must be whole seconds').min(60, 'must be at least 60s')).default(1800),
  // Unset and false differ: false contradicts recordings being set up (below).
  TAVUS_ALLOW_RECORDING: optionalString.pipe(flag.optional()),
  RECONCILE_INTERVAL_S: duration.default(60),
  // Tavus's default max_call_duration (3600 s) plus five minutes.
  RECONCILE_AFTER_S: duration.default(3900),
  RECONCILE_TRANSCRIPT_AFTER_S: duration.default(300),
  RECONCILE_GIVE_UP_AFTER_S: duration.default(7 * 86400),
  RECONCILE_RATE_PER_S: z.coerce.number().positive().max(1000).default(2),
  RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  KURRENTDB_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\/[^/?#\s]+/, 'must be a KurrentDB connection string, e.g. kurrentdb://127.0.0.1:2113?tls=false')
      .optional(),
  ),
  // Recordings (src/reactors/recordings/): the app's storage, where they are kept and served from...
  RECORDINGS_S3_ENDPOINT: optionalString.pipe(endpoint.optional()),
  RECORDINGS_S3_REGION: optionalString.pipe(region.optional()),
  RECORDINGS_S3_BUCKET: optionalString.pipe(bucketName.optional()),
  RECORDINGS_S3_ACCESS_KEY_ID: optionalString,
  RECORDINGS_S3_SECRET_ACCESS_KEY: optionalString,
  RECORDINGS_S3_FORCE_PATH_STYLE: optionalString.pipe(flag.optional()),
  // ...and the bucket Tavus writes to (named in the create call), with how the service reads it.
  TAVUS_RECORDING_BUCKET: optionalString.pipe(awsBucketName.optional()),
  TAVUS_RECORDING_REGION: optionalString.pipe(awsRegion.optional()),
  TAVUS_RECORDING_ROLE_ARN: optionalString.pipe(roleArn.optional()),
  TAVUS_RECORDING_S3_ENDPOINT: optionalString.pipe(endpoint.optional()),
  TAVUS_RECORDING_S3_ACCESS_KEY_ID: optionalString,
  TAVUS_RECORDING_S3_SECRET_ACCESS_KEY: optionalString,
  TAVUS_RECORDING_S3_FORCE_PATH_STYLE: optionalString.pipe(flag.optional()),
  // Operating it (src/metrics/, GET /metrics).
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  FEEDBACK_STREAM_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
  FEEDBACK_STREAM_MAX_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  FEEDBACK_STREAM_HEARTBEAT: duration.pipe(z.number().min(0.05, 'must be at least 0.05s').max(300, 'must be at most 300s')).default(15),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  databaseUrl: string | undefined;
  /** A connection that keeps sessions (migrations, LISTEN) when databaseUrl is a transaction pooler. */
  databaseDirectUrl: string | undefined;
  port: number;
  publicUrl: string;
  tavusApiKey: string | undefined;
  tavusApiUrl: string;
  /** Undefined means: use (or create) the development secret kept in the data directory. */
  authJwtSecret: string | undefined;
  webhookAuth: 'token' | 'none';
  logLevel: Env['LOG_LEVEL'];
  /** The analyzer a fresh database starts serving; later switches go through a rebuild or `feedback use`. */
  defaultAnalyzer: string;
  /** Where `defaultAnalyzer` came from: an operator's setting, or the build's default. */
  defaultAnalyzerFrom: 'FEEDBACK_DEFAULT_ANALYZER' | 'ANALYZER' | 'default';
  /** Settings that work but should be changed (deprecated names), for the caller to log once. */
  warnings: string[];
  dataDir: string;
  /**
   * Key-encryption keys, the one new data keys are wrapped by first; empty means DATA_KEK is unset
   * (main.ts then uses one kept in the data directory, with the embedded database only).
   */
  dataKeks: Kek[];
  /** Conversations older than this many days are erased; undefined: kept until someone asks. */
  retentionDays: number | undefined;
  embeddedPostgresPort: number;
  /** Seconds after its conversation started that a callback URL's token is honoured. */
  callbackTokenTtlSeconds: number;
  /** Threads a rebuild scores on; undefined: one fewer than the cores. */
  scoringThreads: number | undefined;
  /** The `aud` a user's JWT must carry. */
  authJwtAudience: string;
  /** Where the identity provider publishes its public signing keys (Supabase: .../auth/v1/.well-known/jwks.json). */
  authJwksUrl: string | undefined;
  /** Least time between two fetches of the key set prompted by tokens of a key it does not hold. */
  authJwksCooldownMs: number;
  /** How long a fetched key set is used before it is fetched again. */
  authJwksCacheMaxAgeMs: number;
  /** Requests on the user routes per window, per user and per client address. */
  rateLimit: { windowMs: number; perUser: number; perAddress: number };
  /** Reverse proxies in front of the service whose X-Forwarded-For is believed (0: none). */
  trustProxyHops: number;
  /**
   * What a user may ask Tavus for when starting a conversation: the operator pays for both. With
   * recordings set up, `recording` names the bucket every conversation is recorded into.
   */
  conversationCaps: { maxCallDurationSeconds: number; allowRecording: boolean; recording?: TavusRecordingTarget };
  /** Recordings copied from the bucket Tavus writes to into the app's storage; null when not set up. */
  recordings: RecordingsConfig | null;
  /** The model llm@1 asks; null when LLM_MODEL is unset (llm@1 is then not configured). */
  llm: LlmConfig | null;
  reconcile: ReconcileConfig;
  /** Where the outbox relay publishes events; undefined: no relay. */
  kurrentDbUrl: string | undefined;
  /** The bearer token GET /metrics asks for; undefined: /metrics is open. */
  metricsToken: string | undefined;
  /** Live feedback streams (GET /conversations/:id/feedback/stream), per instance. */
  feedbackStreams: { maxConnections: number; maxPerUser: number; heartbeatMs: number };
}

export interface LlmConfig {
  /** An OpenAI-compatible API base, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Undefined for local servers that take none. */
  apiKey: string | undefined;
  model: string;
  /** Requests in flight at most. */
  concurrency: number;
  /** Requests started per second at most, retries included. */
  requestsPerSecond: number;
  /** The prompt's budget; longer transcripts are cut by llm@1's rule. */
  maxPromptTokens: number;
  timeoutMs: number;
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

/** How the service reaches one S3-compatible store. */
export interface S3Access {
  /** Undefined: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  region: string;
  /** Undefined: the AWS SDK's default chain (environment, profile, instance or task role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  bucket: string;
}

/** What POST /conversations tells Tavus: where to write the recording, and the role to assume for it. */
export interface TavusRecordingTarget {
  bucket: string;
  region: string;
  roleArn: string;
}

export interface RecordingsConfig {
  /** The app's storage (RECORDINGS_S3_*): where recordings are kept and served from. */
  storage: S3Access;
  /** The bucket Tavus writes to (TAVUS_RECORDING_*), as the service reads it. */
  tavus: S3Access & { roleArn: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** FEEDBACK_DEFAULT_ANALYZER, else the deprecated ANALYZER (with a warning), else the build's default. */
function defaultAnalyzerOf(e: Env): Pick<Config, 'defaultAnalyzer' | 'defaultAnalyzerFrom' | 'warnings'> {
  if (e.FEEDBACK_DEFAULT_ANALYZER !== undefined) {
    const warnings =
      e.ANALYZER === undefined
        ? []
        : [`ANALYZER is deprecated and ignored: FEEDBACK_DEFAULT_ANALYZER (${e.FEEDBACK_DEFAULT_ANALYZER}) is set; remove ANALYZER (${e.ANALYZER})`];
    return { defaultAnalyzer: e.FEEDBACK_DEFAULT_ANALYZER, defaultAnalyzerFrom: 'FEEDBACK_DEFAULT_ANALYZER', warnings };
  }
  if (e.ANALYZER !== undefined) {
    return {
      defaultAnalyzer: e.ANALYZER,
      defaultAnalyzerFrom: 'ANALYZER',
      warnings: [`ANALYZER is deprecated: rename it to FEEDBACK_DEFAULT_ANALYZER (it is read as that for now: ${e.ANALYZER})`],
    };
  }
  return { defaultAnalyzer: DEFAULT_ANALYZER, defaultAnalyzerFrom: 'default', warnings: [] };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_DIRECT_URL && !e.DATABASE_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_DIRECT_URL: set only beside DATABASE_URL (it is the session connection for a pooled DATABASE_URL)',
    );
  }
  if (e.LLM_MODEL && !e.LLM_API_KEY && e.LLM_BASE_URL.replace(/\/+$/, '') === OPENAI_BASE_URL) {
    throw new ConfigError(`Invalid configuration:\n  LLM_API_KEY: required with LLM_BASE_URL ${OPENAI_BASE_URL}`);
  }
  const recordings = recordingsOf(e);
  return {
    databaseUrl: e.DATABASE_URL,
    databaseDirectUrl: e.DATABASE_DIRECT_URL,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    tavusApiKey: e.TAVUS_API_KEY,
    tavusApiUrl: e.TAVUS_API_URL.replace(/\/+$/, ''),
    authJwtSecret: e.AUTH_JWT_SECRET,
    webhookAuth: e.WEBHOOK_AUTH,
    logLevel: e.LOG_LEVEL,
    ...defaultAnalyzerOf(e),
    dataDir: e.DATA_DIR,
    dataKeks: keksOf(e),
    retentionDays: e.RETENTION_DAYS,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    callbackTokenTtlSeconds: e.CALLBACK_TOKEN_TTL,
    scoringThreads: e.SCORING_THREADS,
    llm: e.LLM_MODEL
      ? {
          baseUrl: e.LLM_BASE_URL.replace(/\/+$/, ''),
          apiKey: e.LLM_API_KEY,
          model: e.LLM_MODEL,
          concurrency: e.LLM_CONCURRENCY,
          requestsPerSecond: e.LLM_REQUESTS_PER_SECOND,
          maxPromptTokens: e.LLM_MAX_PROMPT_TOKENS,
          timeoutMs: Math.round(e.LLM_TIMEOUT_S * 1000),
        }
      : null,
    authJwtAudience: e.AUTH_JWT_AUDIENCE,
    authJwksUrl: e.AUTH_JWKS_URL,
    authJwksCooldownMs: e.AUTH_JWKS_COOLDOWN * 1000,
    authJwksCacheMaxAgeMs: e.AUTH_JWKS_CACHE_MAX_AGE * 1000,
    rateLimit: { windowMs: e.RATE_LIMIT_WINDOW * 1000, perUser: e.RATE_LIMIT_PER_USER, perAddress: e.RATE_LIMIT_PER_ADDRESS },
    trustProxyHops: e.TRUST_PROXY,
    conversationCaps: {
      maxCallDurationSeconds: e.TAVUS_MAX_CALL_DURATION,
      allowRecording: recordings !== null || e.TAVUS_ALLOW_RECORDING === 'true',
      ...(recordings ? { recording: { bucket: recordings.tavus.bucket, region: recordings.tavus.region, roleArn: recordings.tavus.roleArn } } : {}),
    },
    recordings,
    reconcile: {
      intervalSeconds: e.RECONCILE_INTERVAL_S,
      afterSeconds: e.RECONCILE_AFTER_S,
      transcriptAfterSeconds: e.RECONCILE_TRANSCRIPT_AFTER_S,
      giveUpAfterSeconds: e.RECONCILE_GIVE_UP_AFTER_S,
      ratePerSecond: e.RECONCILE_RATE_PER_S,
      concurrency: e.RECONCILE_CONCURRENCY,
    },
    kurrentDbUrl: e.KURRENTDB_URL,
    metricsToken: e.METRICS_TOKEN,
    feedbackStreams: {
      maxConnections: e.FEEDBACK_STREAM_MAX_CONNECTIONS,
      maxPerUser: e.FEEDBACK_STREAM_MAX_PER_USER,
      heartbeatMs: Math.round(e.FEEDBACK_STREAM_HEARTBEAT * 1000),
    },
  };
}

const RECORDING_KEYS = [
  'RECORDINGS_S3_ENDPOINT',
  'RECORDINGS_S3_REGION',
  'RECORDINGS_S3_BUCKET',
  'RECORDINGS_S3_ACCESS_KEY_ID',
  'RECORDINGS_S3_SECRET_ACCESS_KEY',
  'RECORDINGS_S3_FORCE_PATH_STYLE',
  'TAVUS_RECORDING_BUCKET',
  'TAVUS_RECORDING_REGION',
  'TAVUS_RECORDING_ROLE_ARN',
  'TAVUS_RECORDING_S3_ENDPOINT',
  'TAVUS_RECORDING_S3_ACCESS_KEY_ID',
  'TAVUS_RECORDING_S3_SECRET_ACCESS_KEY',
  'TAVUS_RECORDING_S3_FORCE_PATH_STYLE',
] as const satisfies readonly (keyof Env)[];

/**
 * Recordings are set up when any of their keys is, and then every key they cannot do without must
 * be there too: half a setup would ask Tavus to record into a bucket nobody copies from, or copy
 * into nowhere. Every problem is named at once, so one restart fixes them all.
 */
function recordingsOf(e: Env): RecordingsConfig | null {
  const given = RECORDING_KEYS.filter((k) => e[k] !== undefined);
  if (given.length === 0) return null;
  const problems: string[] = [];
  const because = `required to set up recordings (${given[0]} is set)`;
  const required = ['RECORDINGS_S3_BUCKET', 'RECORDINGS_S3_REGION', 'TAVUS_RECORDING_BUCKET', 'TAVUS_RECORDING_REGION', 'TAVUS_RECORDING_ROLE_ARN'] as const;
  for (const k of required) if (e[k] === undefined) problems.push(`  ${k}: ${because}`);
  // Keys come in pairs: one without the other is a typo, not the SDK's default chain.
  const pair = (id: keyof Env, secret: keyof Env) => {
    if (e[id] === undefined && e[secret] !== undefined) problems.push(`  ${id}: required with ${secret}`);
    if (e[id] !== undefined && e[secret] === undefined) problems.push(`  ${secret}: required with ${id}`);
  };
  pair('RECORDINGS_S3_ACCESS_KEY_ID', 'RECORDINGS_S3_SECRET_ACCESS_KEY');
  pair('TAVUS_RECORDING_S3_ACCESS_KEY_ID', 'TAVUS_RECORDING_S3_SECRET_ACCESS_KEY');
  if (e.TAVUS_ALLOW_RECORDING === 'false') problems.push('  TAVUS_ALLOW_RECORDING: false, yet recordings are set up; unset one of them');
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  const credentials = (id: string | undefined, secret: string | undefined) => {
    return id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined;
  };
  return {
    storage: {
      endpoint: e.RECORDINGS_S3_ENDPOINT,
      region: e.RECORDINGS_S3_REGION!,
      bucket: e.RECORDINGS_S3_BUCKET!,
      credentials: credentials(e.RECORDINGS_S3_ACCESS_KEY_ID, e.RECORDINGS_S3_SECRET_ACCESS_KEY),
      forcePathStyle: e.RECORDINGS_S3_FORCE_PATH_STYLE === 'true',
    },
    tavus: {
      endpoint: e.TAVUS_RECORDING_S3_ENDPOINT,
      region: e.TAVUS_RECORDING_REGION!,
      bucket: e.TAVUS_RECORDING_BUCKET!,
      roleArn: e.TAVUS_RECORDING_ROLE_ARN!,
      credentials: credentials(e.TAVUS_RECORDING_S3_ACCESS_KEY_ID, e.TAVUS_RECORDING_S3_SECRET_ACCESS_KEY),
      forcePathStyle: e.TAVUS_RECORDING_S3_FORCE_PATH_STYLE === 'true',
    },
  };
}

function keksOf(e: Env): Kek[] {
  const keks: Kek[] = [];
  try {
    if (e.DATA_KEK) keks.push(parseKek(e.DATA_KEK));
    for (const text of (e.DATA_KEK_PREVIOUS ?? '').split(',').filter((t) => t.trim() !== '')) keks.push(parseKek(text, 'DATA_KEK_PREVIOUS'));
  } catch (err) {
    if (err instanceof KekError) throw new ConfigError(`Invalid configuration:\n  ${err.message}`);
    throw err;
  }
  if (keks.length > 0 && !e.DATA_KEK)
    throw new ConfigError('Invalid configuration:\n  DATA_KEK_PREVIOUS: set only beside DATA_KEK (the key that replaces them)');
  return keks;
}
