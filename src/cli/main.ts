import { fstatSync, realpathSync, statSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { askOnTerminal } from './confirm.js';
import { USAGE_EXIT_CODE, reportError } from './exit-codes.js';
import { fdWriter } from './output/fd-writer.js';
import type { CliIo, Writer } from './output/output.js';
import { Session } from './session.js';

export type { CliIo } from './output/output.js';

type Register = (program: Command, session: Session) => void;

/**
 * Command groups by the top-level names they define, each loaded only when it is needed: a
 * run needs one group and what it imports (help needs them all). Loading the code of every
 * command was most of a short command's time.
 */
const GROUPS: readonly (readonly [readonly string[], () => Promise<Register>])[] = [
  [['init'], async () => (await import('./commands/init.js')).registerInit],
  [['project'], async () => (await import('./commands/project.js')).registerProject],
  [['sprint'], async () => (await import('./commands/sprint.js')).registerSprint],
  [['lane'], async () => (await import('./commands/lane.js')).registerLane],
  [['item'], async () => (await import('./commands/item.js')).registerItem],
  [['comment'], async () => (await import('./commands/comment.js')).registerComment],
  [['dep'], async () => (await import('./commands/dep.js')).registerDep],
  [['time'], async () => (await import('./commands/time.js')).registerTime],
  [['board', 'ready'], async () => (await import('./commands/board.js')).registerBoard],
  [['conflicts'], async () => (await import('./commands/conflicts.js')).registerConflicts],
  [['sync'], async () => (await import('./commands/sync.js')).registerSync],
  [['connect', 'connections'], async () => (await import('./commands/connect.js')).registerConnect],
  [['merge-driver', 'hooks'], async () => (await import('./commands/git.js')).registerGit],
  [['serve', 'token'], async () => (await import('./commands/serve.js')).registerServe],
  [['help', 'completion'], async () => (await import('./commands/help.js')).registerHelp],
  [['ls', 'done', 'close', 'start'], async () => (await import('./commands/verbs.js')).registerVerbs],
  [['config'], async () => (await import('./commands/config.js')).registerConfig],
  [['worker'], async () => (await import('./commands/worker.js')).registerWorker],
  [['audit'], async () => (await import('./commands/audit.js')).registerAudit],
];

/** The names pm's own commands take; an alias never replaces one. */
export const COMMAND_NAMES: readonly string[] = GROUPS.flatMap(([names]) => names);

/** Short verbs that are other commands' words. */
const BUILT_IN_ALIASES: Readonly<Record<string, readonly string[]>> = { ls: ['item', 'list'] };

/** Where the command's name is in `argv`: the first word that is no option (nor --server's value). */
function commandIndex(argv: readonly string[]): number {
  return argv.findIndex((a, i) => !a.startsWith('-') && argv[i - 1] !== '--server');
}

/**
 * `argv` with an alias in command position replaced by its words: a built-in one (`ls`), else
 * the workspace's `[aliases]` when the word is no command of pm (config.toml is read only then).
 */
export async function expandAliases(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const at = commandIndex(argv);
  const name = argv[at];
  if (name === undefined) return [...argv];
  let words = BUILT_IN_ALIASES[name];
  if (!words && !COMMAND_NAMES.includes(name)) {
    const [{ ConfigError }, { aliasWords, findWorkspace, readConfig }] = await Promise.all([
      import('../domain/index.js'),
      import('../workspace/index.js'),
    ]);
    let aliases: Record<string, string> | undefined;
    try {
      aliases = readConfig(findWorkspace(cwd, env).config).aliases;
    } catch (error) {
      // No workspace: no aliases, and commander says the command is unknown.
      if (!(error instanceof ConfigError && error.code === 'not_initialized')) throw error;
    }
    const alias = aliases && Object.hasOwn(aliases, name) ? aliases[name] : undefined;
    if (alias !== undefined) {
      const expanded = aliasWords(alias);
      words = BUILT_IN_ALIASES[expanded[0]!] ? [...BUILT_IN_ALIASES[expanded[0]!]!, ...expanded.slice(1)] : expanded;
    }
  }
  return words ? [...argv.slice(0, at), ...words, ...argv.slice(at + 1)] : [...argv];
}

/**
 * The program with every group, or only the group `argv` names: building ~40 commands with
 * their options is measurable start-up too.
 */
export async function buildProgram(session: Session, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('pm')
    .description('A local-first project tracker that lives in your git repository.')
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .configureOutput({
      writeOut: (s) => session.out.stdout(s),
      writeErr: (s) => session.out.stderr(s),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ pm init
  $ pm project add WEB "Website relaunch"
  $ pm item add --type story "Pay by card" --points 5
  $ pm board

Environment: PM_DIR (where .pm/ is), PM_DATABASE_URL (postgres://… instead of .pm/data.db),
PM_ACTOR (who you are; default git's user.email), PM_SERVER (a pm server to run commands
through), PM_TOKEN (its token), NO_COLOR, FORCE_COLOR, PM_DEBUG=1 (stack traces).`,
    );
  program.option('--server <url>', 'run the command through a pm server (default: $PM_SERVER)').hook('preAction', () => {
    session.serverFlag = program.opts<{ server?: string }>().server;
  });
  program.exitOverride();
  const first = argv[commandIndex(argv)];
  const named = GROUPS.filter(([names]) => first !== undefined && names.includes(first));
  const registers = await Promise.all((named.length > 0 ? named : GROUPS).map(([, load]) => load()));
  for (const register of registers) register(program, session);
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => session.out.stdout(s),
      writeErr: (s) => session.out.stderr(s),
    });
  }
  return program;
}

function* allCommands(command: Command): Generator<Command> {
  for (const sub of command.commands) {
    yield sub;
    yield* allCommands(sub);
  }
}

/** Runs one pm command line and returns its exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const session = new Session(io);
  // Bare `pm` is asking what pm does: help on stdout, success. `-V` is an old spelling of `-v`.
  if (argv.length === 0) argv = ['--help'];
  if (argv.length === 1 && argv[0] === '-V') argv = ['--version'];
  try {
    argv = await expandAliases(argv, io.cwd, io.env);
    await (await buildProgram(session, argv)).parseAsync([...argv], { from: 'user' });
    await session.afterSuccess();
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      if (error.code === 'commander.executeSubCommandAsync' || error.code === 'commander.help') return 0;
      return USAGE_EXIT_CODE;
    }
    session.out.quiet = false; // errors always show
    return reportError(session.explain(error), session.out, session.debug);
  } finally {
    await session.close();
  }
}

/**
 * This process's input and output. A terminal gets Node's stream (it knows the width); a pipe
 * or a file is written straight to its descriptor (see `fdWriter`).
 */
export function processIo(): CliIo {
  const isTTY = isTerminal(1);
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: isTTY ? quietOnEpipe(process.stdout) : fdWriter(1),
    stderr: isTerminal(2) ? quietOnEpipe(process.stderr) : fdWriter(2),
    isTTY,
    columns: isTTY ? process.stdout.columns : undefined,
    ...(isTerminal(2) && isTerminal(0) ? { ask: askOnTerminal } : {}),
    ...(process.argv[1] ? { bin: realpathSync(process.argv[1]) } : {}),
  };
}

/**
 * Whether `fd` is a terminal. Only a character device can be one: pipes and files (how scripts
 * run pm) are told from a stat, without loading node:tty (and the network streams it needs).
 */
function isTerminal(fd: number): boolean {
  let rdev: number;
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    rdev = stat.rdev;
  } catch {
    return false; // closed
  }
  // Output thrown away (`> /dev/null`) goes to a character device too, never a terminal.
  if (rdev === devNull()) return false;
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/** The device number of /dev/null; undefined where there is none. */
function devNull(): number | undefined {
  try {
    return statSync('/dev/null').rdev;
  } catch {
    return undefined;
  }
}

/** A reader that goes away early is not an error. */
function quietOnEpipe(stream: NodeJS.WriteStream): Writer {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return stream;
}
