import { z } from 'zod';

// Configuration is read once, at the composition root, and passed down as a value.
// A bad value stops the service with a message that names the variable.

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

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
  KURRENTDB_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\/[^/?#\s]+/, 'must be a KurrentDB connection string, e.g. kurrentdb://127.0.0.1:2113?tls=false')
      .optional(),
  ),
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
  /** Where the outbox relay publishes events; undefined: no relay. */
  kurrentDbUrl: string | undefined;
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
    kurrentDbUrl: e.KURRENTDB_URL,
  };
}
