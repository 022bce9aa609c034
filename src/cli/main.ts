import { parseArgs } from 'node:util';
import type pg from 'pg';
import pino from 'pino';
import { DEFAULT_ANALYZER } from '../analysis/registry.js';
import { ConfigError, loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { issueUserToken } from '../http/auth.js';
import { main as serve, resolveDatabase, resolveJwtSecret } from '../main.js';
import { BuildError } from '../projections/builds/rebuild.js';
import { analyzeLines } from './analyze.js';
import { compare } from './compare.js';
import { defaultEvaluated, evaluate } from './evaluate.js';
import { printAudit } from './audit.js';
import { analyzerOrFail, drop, dryRun, pricesOf, printAnalyzers, rebuild, use } from './feedback.js';
import { printDeadLetters, retryDeadLetters } from './deadletters.js';
import { addScenario } from './scenario.js';
import { UsageError } from './usage.js';

const USAGE = `Usage: tavus-feedback <command> [options]

Service:
  serve                                   start the service (what \`npm start\` runs)
  migrate                                 apply pending database migrations
  token --user <uuid> [--expires 12h]     print a user JWT signed with AUTH_JWT_SECRET, for local use
  scenario add --name <name> [--id <uuid>] [--description <text>] [--rubric <json>]
                                          add a scenario (or replace the one with that id)

Feedback builds (blue/green):
  analyzers                               list analyzers: the live one (*), which have builds
  rebuild feedback --analyzer <name@v> [--dry-run [--input-price USD --output-price USD]]
                                          score the whole history with that version, then switch to it
                                          (llm@1 first asks the model about transcripts it has no
                                          answer for); --dry-run says what it would do and cost
                                          (prices per million tokens), changing nothing
  feedback use <name@v>                   switch back to a version built before (instant rollback)
  feedback drop <name@v>                  remove a build that is not live

Judging and auditing:
  analyze [--analyzer <name@v>] [FILE|-]  JSON lines {id, transcript, duration?} in, feedback out
  evaluate --labels FILE [--analyzer <name@v> ...] [--json] [--recordings FILE]
                                          AUC of each score against high/low quality labels;
                                          llm@1 only when named: it replays answers kept in
                                          --recordings FILE and asks LLM_MODEL for the others
  deadletters                             conversations parked by a projection or the llm@1 reactor
  deadletters retry <stream>|--all        ask for them to be tried again, and say how it went
  compare <A> <B> [--out FILE]            how scores moved between two builds; writes an HTML report
  audit <conversation id> [--json]        a conversation's callbacks, events and feedback, in time order

Configuration comes from the environment; see the README.`;

async function withPool<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await resolveDatabase(config, pino({ level: 'warn' }));
  try {
    await migrate(database.url);
    const pool = createPool(database.url, { max: 8, applicationName: 'tavus-feedback-cli' });
    try {
      return await fn(pool);
    } finally {
      await pool.end();
    }
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
      return withPool(async () => console.log('migrations applied'));
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
      const id = await withPool((pool) => addScenario(pool, { name: values.name!, id: values.id, description: values.description, rubric: values.rubric }));
      console.log(id);
      return;
    }
    case 'analyzers':
      return withPool((pool) => printAnalyzers(pool, loadConfig()));
    case 'rebuild': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { analyzer: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'input-price': { type: 'string' }, 'output-price': { type: 'string' } },
      });
      if (positionals[0] !== 'feedback') throw new UsageError('rebuild has one read model to rebuild: rebuild feedback --analyzer name@version');
      const analyzer = analyzerOrFail(values.analyzer);
      const config = loadConfig();
      if (values['dry-run']) return withPool((pool) => dryRun(pool, analyzer, config, pricesOf(values['input-price'], values['output-price'])));
      return withPool((pool) => rebuild(pool, `${analyzer.name}@${analyzer.version}`, config.scoringThreads, config.llm));
    }
    case 'deadletters': {
      // The same file and functions as main's commander CLI, so the two meet without a conflict.
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { all: { type: 'boolean', default: false } } });
      if (positionals[0] === 'retry') {
        if (!values.all && !positionals[1]) throw new UsageError('deadletters retry needs a stream id (conversation-<tavus id>) or --all');
        const ok = await withPool((pool) => retryDeadLetters(pool, values.all ? null : positionals[1]!));
        if (!ok) process.exitCode = 1;
        return;
      }
      if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}`);
      return withPool((pool) => printDeadLetters(pool));
    }
    case 'feedback': {
      const [sub, id, ...extra] = rest;
      if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
      if (sub === 'use') return withPool((pool) => use(pool, id));
      if (sub === 'drop') return withPool((pool) => drop(pool, id));
      throw new UsageError('feedback has two subcommands: use and drop');
    }
    case 'analyze': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { analyzer: { type: 'string' } } });
      const analyzer = analyzerOrFail(values.analyzer ?? loadConfig().analyzer ?? DEFAULT_ANALYZER);
      await analyzeLines(analyzer, positionals[0], (line) => process.stdout.write(line + '\n'));
      return;
    }
    case 'evaluate': {
      const { values } = parseArgs({
        args: rest,
        options: { labels: { type: 'string' }, analyzer: { type: 'string', multiple: true }, json: { type: 'boolean', default: false }, recordings: { type: 'string' } },
      });
      if (!values.labels) throw new UsageError('evaluate needs --labels FILE (JSON lines with transcript and quality)');
      const chosen = values.analyzer?.length ? values.analyzer.map((id) => analyzerOrFail(id)) : defaultEvaluated();
      return evaluate(chosen, values.labels, values.json ?? false, { config: loadConfig().llm, recordings: values.recordings });
    }
    case 'compare': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string' } } });
      const [a, b] = positionals;
      if (!a || !b || positionals.length !== 2) throw new UsageError('compare needs two built versions: compare name@v name@v');
      return withPool((pool) => compare(pool, a, b, values.out ?? `compare-${a}-${b}.html`.replace(/@/g, '_')));
    }
    case 'audit': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
      if (!positionals[0]) throw new UsageError('audit needs a conversation id');
      return withPool((pool) => printAudit(pool, positionals[0]!, values.json ?? false));
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
    if (err instanceof BuildError) {
      console.error(err.message);
      process.exit(3);
    }
    console.error((err as Error).message ?? err);
    process.exit(1);
  });
}
