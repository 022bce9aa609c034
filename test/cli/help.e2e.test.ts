import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { program } from '../../src/cli/main.js';

// Every command and subcommand answers --help and refuses an option it does not have. The command
// table is walked, so a command added later is held to the same. The overview and the usage errors
// run as real processes (exit codes included); each command's own help and refusal are parsed in
// this process by the same command table, which spares some forty process starts.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

/** The command table parsing `args` here, its output captured; status as `cli()` maps it. */
async function parseHere(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const capture = (command: CommandUnknownOpts) => {
    command.configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
    command.commands.forEach(capture);
  };
  const cli = program();
  capture(cli);
  try {
    await cli.parseAsync(args, { from: 'user' });
    return { status: 0, stdout, stderr };
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { status: err.exitCode === 0 ? 0 : 2, stdout, stderr };
  }
}

interface Entry {
  path: string[];
  command: CommandUnknownOpts;
}

function walk(command: CommandUnknownOpts, path: string[] = []): Entry[] {
  return command.commands.flatMap((sub) => {
    const entry = { path: [...path, sub.name()], command: sub };
    return [entry, ...walk(sub, entry.path)];
  });
}

const commands = walk(program());

// Commander checks mandatory options before it looks for unknown ones: these satisfy them.
const MANDATORY: Record<string, string> = {
  '--user': '5b0c2c4e-8f7a-4a57-9d0e-3f1f6f0a9a11',
  '--name': 'a scenario',
  '--analyzer': 'baseline@1',
  '--labels': 'labels.jsonl',
  '--from': '0',
};

function mandatory(command: CommandUnknownOpts): string[] {
  return command.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, MANDATORY[o.long!]!]);
}

describe('tavus-feedback --help', () => {
  it('has every command it had before commander, and the ones added since', () => {
    expect(commands.map((c) => c.path.join(' ')).sort()).toEqual(
      [
        'serve',
        'migrate',
        'token',
        'scenario',
        'scenario add',
        'analyzers',
        'rebuild',
        'rebuild feedback',
        'feedback',
        'feedback use',
        'feedback drop',
        'analyze',
        'evaluate',
        'compare',
        'audit',
        'deadletters',
        'deadletters retry',
        'reconcile',
        'relay',
        'relay status',
        'relay reset',
        'leases',
        'recordings',
        'recordings status',
        'recordings retry',
        'erase',
        'export',
        'keys',
        'keys rotate',
      ].sort(),
    );
  });

  it('prints the overview with no command, with help, and with --help', async () => {
    for (const args of [[], ['help'], ['--help']]) {
      const { status, stdout } = await runCli(args);
      expect(status, args.join(' ')).toBe(0);
      expect(stdout).toMatch(/^Usage: tavus-feedback <command> \[options\]/);
      for (const { path } of commands.filter((c) => c.path.length === 1)) expect(stdout).toMatch(new RegExp(`^  ${path[0]}\\b`, 'm'));
      expect(stdout).toContain('Feedback builds (blue/green):');
    }
  });

  it.each(commands.map((c) => [c.path.join(' '), c] as const))('%s --help names its usage and every option', async (_name, { path, command }) => {
    const { status, stdout, stderr } = await parseHere([...path, '--help']);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: tavus-feedback ${path.join(' ')} `));
    // Help wraps at the terminal's width.
    expect(stdout.replace(/\s+/g, ' ')).toContain(command.description());
    for (const option of command.options) expect(stdout).toContain(option.flags);
    for (const sub of command.commands) expect(stdout).toMatch(new RegExp(`^  ${sub.name()}\\b`, 'm'));
  });

  it.each(commands.map((c) => [c.path.join(' '), c] as const))('%s --bogus is a usage error naming the option', async (_name, { path, command }) => {
    const { status, stdout, stderr } = await parseHere([...path, ...mandatory(command), '--bogus']);
    expect(status).toBe(2);
    expect(stderr).toContain("error: unknown option '--bogus'");
    expect(stdout).toBe('');
  });
});

describe('tavus-feedback usage errors', () => {
  it.concurrent.each([
    [['rebuild', 'feedback'], "required option '--analyzer <name@version>' not specified"],
    [
      ['rebuild', 'feedback', '--analyzer', 'nope@9'],
      "option '--analyzer <name@version>' argument 'nope@9' is invalid. unknown analyzer nope@9; known: baseline@1",
    ],
    [['feedback', 'use', 'nope@9'], "command-argument value 'nope@9' is invalid for argument 'name@version'. unknown analyzer nope@9"],
    [['feedback', 'drop'], "missing required argument 'name@version'"],
    [['feedback', 'drop', 'a@1', 'b@1'], "too many arguments for 'drop'"],
    [['token'], 'token needs either --user <uuid> or --service-role'],
    [['token', '--user', 'not-a-uuid'], "option '--user <uuid>' argument 'not-a-uuid' is invalid. not a UUID"],
    [['scenario', 'add', '--name', 'x', '--id', '42'], "option '--id <uuid>' argument '42' is invalid. not a UUID"],
    [['scenario', 'add', '--description', 'no name'], "required option '--name <name>' not specified"],
    [['evaluate'], "required option '--labels <file>' not specified"],
    [['compare', 'baseline@1'], "missing required argument 'b'"],
    [['audit'], "missing required argument 'conversation'"],
    [['rebuild', 'conversations'], "unknown command 'conversations'"],
    [['nope'], "unknown command 'nope'"],
  ])('%j: exit 2, %s', async (args, message) => {
    const { status, stdout, stderr } = await runCli(args);
    expect(status).toBe(2);
    expect(stderr).toContain(`error: ${message}`);
    expect(stderr).toContain('(add --help for usage)');
    expect(stdout).toBe('');
  });

  it('shows the help of a command that needs a subcommand, as an error', async () => {
    const { status, stdout, stderr } = await runCli(['feedback']);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: tavus-feedback feedback /);
    expect(stderr).toMatch(/^ {2}use <name@version>/m);
    expect(stderr).toMatch(/^ {2}drop <name@version>/m);
  });
});
