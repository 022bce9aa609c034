import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { issueUserToken } from '../http/auth.js';
import { main as serve, resolveDatabase, resolveJwtSecret } from '../main.js';
import { addScenario } from './scenario.js';

const USAGE = `Usage: tavus-feedback <command> [options]

Commands:
  serve                                   start the service (what \`npm start\` runs)
  migrate                                 apply pending database migrations
  token --user <uuid> [--expires 12h]     print a user JWT signed with AUTH_JWT_SECRET, for local use
  scenario add --name <name> [--id <uuid>] [--description <text>] [--rubric <json>]
                                          add a scenario (or replace the one with that id)

Configuration comes from the environment; see the README.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = pino({ level: 'warn' });
  const database = await resolveDatabase(config, log);
  try {
    await migrate(database.url);
    return await fn(database.url);
  } finally {
    await database.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve();
    case 'migrate':
      return withDatabase(async () => console.log('migrations applied'));
    case 'token': {
      const { values } = parseArgs({ args: rest, options: { user: { type: 'string' }, expires: { type: 'string', default: '12h' } } });
      if (!values.user || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.user)) {
        throw new UsageError('token needs --user <uuid>');
      }
      const secret = await resolveJwtSecret(loadConfig());
      console.log(await issueUserToken(secret, values.user.toLowerCase(), values.expires));
      return;
    }
    case 'scenario': {
      const [sub, ...args] = rest;
      if (sub !== 'add') throw new UsageError('scenario has one subcommand: add');
      const { values } = parseArgs({
        args,
        options: { name: { type: 'string' }, id: { type: 'string' }, description: { type: 'string' }, rubric: { type: 'string' } },
      });
      if (!values.name) throw new UsageError('scenario add needs --name');
      const id = await withDatabase(async (url) => {
        const pool = createPool(url, { max: 1 });
        try {
          return await addScenario(pool, { name: values.name!, id: values.id, description: values.description, rubric: values.rubric });
        } finally {
          await pool.end();
        }
      });
      console.log(id);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

export function cli(argv: string[]): void {
  run(argv).catch((err) => {
    if (err instanceof UsageError || err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error((err as Error).message ?? err);
    process.exit(1);
  });
}
