import { realpathSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerBoard } from './commands/board.js';
import { registerComment } from './commands/comment.js';
import { registerConflicts } from './commands/conflicts.js';
import { registerConnect } from './commands/connect.js';
import { registerDep } from './commands/dep.js';
import { registerGit } from './commands/git.js';
import { registerInit } from './commands/init.js';
import { registerItem } from './commands/item.js';
import { registerLane } from './commands/lane.js';
import { registerProject } from './commands/project.js';
import { registerServe } from './commands/serve.js';
import { registerSprint } from './commands/sprint.js';
import { registerSync } from './commands/sync.js';
import { registerTime } from './commands/time.js';
import { USAGE_EXIT_CODE, reportError } from './exit-codes.js';
import type { CliIo } from './output/output.js';
import { Session } from './session.js';

export type { CliIo } from './output/output.js';

type Register = (program: Command, session: Session) => void;

/** Command groups by the top-level names they define. */
const GROUPS: readonly (readonly [readonly string[], Register])[] = [
  [['init'], registerInit],
  [['project'], registerProject],
  [['sprint'], registerSprint],
  [['lane'], registerLane],
  [['item'], registerItem],
  [['comment'], registerComment],
  [['dep'], registerDep],
  [['time'], registerTime],
  [['board', 'ready'], registerBoard],
  [['conflicts'], registerConflicts],
  [['sync'], registerSync],
  [['connect', 'connections'], registerConnect],
  [['merge-driver', 'hooks'], registerGit],
  [['serve', 'token'], registerServe],
];

/**
 * The program with every group, or only the group `argv` names: building ~40 commands with
 * their options is measurable start-up, and a run needs one group (help needs them all).
 */
export function buildProgram(session: Session, argv: readonly string[] = []): Command {
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
  for (const [, register] of named.length > 0 ? named : GROUPS) register(program, session);
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
    await buildProgram(session, argv).parseAsync([...argv], { from: 'user' });
    await session.afterSuccess();
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      if (error.code === 'commander.executeSubCommandAsync' || error.code === 'commander.help') return 0;
      return USAGE_EXIT_CODE;
    }
    return reportError(error, session.out, session.debug);
  } finally {
    await session.close();
  }
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY === true,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    ...(process.argv[1] ? { bin: realpathSync(process.argv[1]) } : {}),
  };
}
