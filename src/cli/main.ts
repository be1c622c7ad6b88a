import { realpathSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
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
];

/**
 * The program with every group, or only the group `argv` names: building ~40 commands with
 * their options is measurable start-up too.
 */
export async function buildProgram(session: Session, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('pm')
    .description('A local-first project tracker that lives in your git repository.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => session.io.stdout.write(s),
      writeErr: (s) => session.io.stderr.write(s),
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
through), PM_TOKEN (its token), NO_COLOR, PM_DEBUG=1 (stack traces).`,
    );
  program.option('--server <url>', 'run the command through a pm server (default: $PM_SERVER)').hook('preAction', () => {
    session.serverFlag = program.opts<{ server?: string }>().server;
  });
  program.exitOverride();
  const first = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '--server');
  const named = GROUPS.filter(([names]) => first !== undefined && names.includes(first));
  const registers = await Promise.all((named.length > 0 ? named : GROUPS).map(([, load]) => load()));
  for (const register of registers) register(program, session);
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => session.io.stdout.write(s),
      writeErr: (s) => session.io.stderr.write(s),
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
  try {
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
    return reportError(error, session.out, session.debug);
  } finally {
    await session.close();
  }
}

/**
 * This process's input and output. A terminal gets Node's stream (it knows the width); a pipe
 * or a file is written straight to its descriptor (see `fdWriter`).
 */
export function processIo(): CliIo {
  const isTTY = isatty(1);
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: isTTY ? quietOnEpipe(process.stdout) : fdWriter(1),
    stderr: isatty(2) ? quietOnEpipe(process.stderr) : fdWriter(2),
    isTTY,
    columns: isTTY ? process.stdout.columns : undefined,
    ...(process.argv[1] ? { bin: realpathSync(process.argv[1]) } : {}),
  };
}

/** A reader that goes away early is not an error. */
function quietOnEpipe(stream: NodeJS.WriteStream): Writer {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return stream;
}
