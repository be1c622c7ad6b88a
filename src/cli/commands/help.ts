import { readFileSync, readdirSync } from 'node:fs';
import { Argument, type Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import { SHELLS, completionScript, type Shell } from '../completion.js';
import { example } from '../options.js';
import type { Session } from '../session.js';

/** The topics' text files: src/cli/topics beside the sources, dist/topics beside the built chunks. */
const TOPICS_DIR = new URL('../topics/', import.meta.url);

export function helpTopics(): string[] {
  return readdirSync(TOPICS_DIR)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -'.txt'.length))
    .sort();
}

/** Every command of pm: these commands' group alone was loaded for this run. */
async function fullProgram(session: Session): Promise<Command> {
  const { buildProgram } = await import('../main.js');
  return buildProgram(session);
}

/** The command words an alias (`ls`, or one of config.toml's) stands for. */
async function unaliased(session: Session, words: readonly string[]): Promise<string[]> {
  const { expandAliases } = await import('../main.js');
  const expanded = await expandAliases(words, session.io.cwd, session.io.env);
  const firstOption = expanded.findIndex((w) => w.startsWith('-'));
  return firstOption < 0 ? expanded : expanded.slice(0, firstOption);
}

export function registerHelp(program: Command, session: Session): void {
  const out = session.out;
  const topics = helpTopics();

  program
    .command('help')
    .description(`show a topic (${topics.join(', ')}) or a command's help`)
    .argument('[topic...]', 'a topic, or a command such as "item add"')
    .addHelpText('after', example('pm help git', 'pm help item add'))
    .action(async (words: string[]) => {
      const full = await fullProgram(session);
      const [first] = words;
      if (first === undefined) return full.outputHelp();
      if (words.length === 1 && topics.includes(first)) {
        out.io.stdout.write(readFileSync(new URL(`${first}.txt`, TOPICS_DIR), 'utf8'));
        return;
      }
      let command = full;
      for (const word of await unaliased(session, words)) {
        const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!sub) {
          const message = `no topic or command "${words.join(' ')}": topics are ${topics.join(', ')}; pm --help lists the commands`;
          throw new ValidationError([{ path: 'topic', message }]);
        }
        command = sub;
      }
      command.outputHelp();
    });

  program
    .command('completion')
    .description('print a shell completion script for every pm command and option')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `${example('source <(pm completion bash)      # in ~/.bashrc', 'source <(pm completion zsh)       # in ~/.zshrc, after compinit', 'pm completion fish > ~/.config/fish/completions/pm.fish')}`,
    )
    .action(async (shell: Shell) => {
      out.io.stdout.write(completionScript(await fullProgram(session), shell));
    });
}
