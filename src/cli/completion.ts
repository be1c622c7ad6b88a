import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One command of the tree, as a completion script needs it. */
interface Node {
  /** Command names from the top, joined with `/` ('' for pm itself). */
  path: string;
  commands: { name: string; description: string }[];
  /** Values its arguments take, where commander knows them (`pm completion <shell>`). */
  values: readonly string[];
  options: { long?: string; short?: string; description: string; choices?: readonly string[] }[];
}

/** Words a shell script may hold unquoted: names, flags and choice values pm defines. */
const SAFE_WORD = /^[\w.:@+-]+$/;

/** Every command under `program`, read from commander's tree so the scripts never drift from it. */
function walk(program: Command): Node[] {
  const help = program.createHelp();
  const nodes: Node[] = [];
  const visit = (command: Command, path: string) => {
    const subs = help.visibleCommands(command);
    nodes.push({
      path,
      commands: subs.flatMap((sub) => [sub.name(), ...sub.aliases()].map((name) => ({ name, description: sub.description() }))),
      values: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
      options: help.visibleOptions(command).map((option) => ({
        ...(option.long ? { long: option.long } : {}),
        ...(option.short ? { short: option.short } : {}),
        description: option.description,
        ...(option.argChoices ? { choices: option.argChoices } : {}),
      })),
    });
    for (const sub of subs) for (const name of [sub.name(), ...sub.aliases()]) visit(sub, path ? `${path}/${name}` : name);
  };
  visit(program, '');
  return nodes;
}

const words = (list: readonly string[]) => list.filter((w) => SAFE_WORD.test(w)).join(' ');
const firstLine = (text: string) => text.split('\n')[0]!;

/** The candidates at a command: its subcommands, its arguments' values and its long options. */
function candidates(node: Node): string {
  return words([...node.commands.map((c) => c.name), ...node.values, ...node.options.flatMap((o) => (o.long ? [o.long] : []))]);
}

/** `case` arms (bash and zsh share the syntax) for option values, then for commands. */
function caseArms(nodes: Node[], variable: string, indent = '      '): { values: string[]; commands: string[] } {
  const values = nodes.flatMap((node) =>
    node.options
      .filter((o) => o.choices)
      .map((o) => {
        const flags = [o.long, o.short].filter((f): f is string => f !== undefined).map((f) => `"${node.path} ${f}"`);
        return `${indent}(${flags.join('|')}) ${variable}="${words(o.choices!)}" ;;`;
      }),
  );
  const commands = nodes.map((node) => `${indent}("${node.path}") ${variable}="${candidates(node)}" ;;`);
  return { values, commands };
}

const pathList = (nodes: Node[]) => `|${nodes.map((n) => n.path).join('|')}|`;

function bash(nodes: Node[]): string {
  const arms = caseArms(nodes, 'words');
  return `# pm completion for bash. Load it with: source <(pm completion bash)
_pm() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" next w i words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    next="\${path:+$path/}$w"
    case "${pathList(nodes)}" in *"|$next|"*) path="$next" ;; esac
  done
  case "$path $prev" in
${arms.values.join('\n')}
    *)
      case "$path" in
${arms.commands.join('\n')}
      esac
      ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _pm pm
`;
}

function zsh(nodes: Node[]): string {
  const arms = caseArms(nodes, 'cands');
  return `#compdef pm
# pm completion for zsh. Load it with: source <(pm completion zsh) (after compinit), or save it
# as _pm in a directory of your $fpath.
_pm() {
  local cmdpath="" next w i cands="" prev="\${words[CURRENT-1]}"
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    next="\${cmdpath:+$cmdpath/}$w"
    case "${pathList(nodes)}" in (*"|$next|"*) cmdpath="$next" ;; esac
  done
  case "$cmdpath $prev" in
${arms.values.join('\n')}
    (*)
      case "$cmdpath" in
${arms.commands.join('\n')}
      esac
      ;;
  esac
  compadd -- \${=cands}
}
if [ "$funcstack[1]" = "_pm" ]; then _pm "$@"; else compdef _pm pm; fi
`;
}

/** A fish string literal. */
const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(nodes: Node[]): string {
  const lines = nodes.flatMap((node) => {
    const at = `-n ${fishQuote(`__pm_at ${JSON.stringify(node.path)}`)}`;
    return [
      ...node.commands
        .filter((c) => SAFE_WORD.test(c.name))
        .map((c) => `complete -c pm ${at} -a ${c.name} -d ${fishQuote(firstLine(c.description))}`),
      ...(node.values.length > 0 ? [`complete -c pm ${at} -a ${fishQuote(words(node.values))}`] : []),
      ...node.options.map((o) => {
        const flags = [o.long ? `-l ${o.long.slice(2)}` : '', o.short ? `-s ${o.short.slice(1)}` : ''].filter(Boolean);
        const values = o.choices ? ` -x -a ${fishQuote(words(o.choices))}` : '';
        return `complete -c pm ${at} ${flags.join(' ')}${values} -d ${fishQuote(firstLine(o.description))}`;
      }),
    ];
  });
  return `# pm completion for fish. Load it with: pm completion fish | source
# (or save it as ~/.config/fish/completions/pm.fish)
function __pm_path
    set -l path ''
    for w in (commandline -opc)[2..-1]
        set -l next $w
        test -n "$path"; and set next "$path/$w"
        contains -- $next ${nodes.map((n) => fishQuote(n.path)).join(' ')}; and set path $next
    end
    echo $path
end
function __pm_at
    set -l path (__pm_path)
    test "$path" = "$argv[1]"
end
complete -c pm -f
${lines.join('\n')}
`;
}

/** A completion script for `shell` covering every command and option of `program`. */
export function completionScript(program: Command, shell: Shell): string {
  const nodes = walk(program);
  return { bash, zsh, fish }[shell](nodes);
}
