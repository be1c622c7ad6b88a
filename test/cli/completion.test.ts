import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/index.js';
import { Session } from '../../src/cli/session.js';
import { pm, pmProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

async function script(shell: string): Promise<string> {
  const dir = tempDir();
  const r = await pm(['completion', shell], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const file = join(dir, `pm.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

/** What pm's own tree says each command takes: subcommands, argument choices and long options, by command path. */
async function tree(): Promise<Map<string, string[]>> {
  const session = new Session({
    cwd: tempDir(),
    env: {},
    stdout: { write: () => 0 },
    stderr: { write: () => 0 },
    isTTY: false,
    columns: undefined,
  });
  const program = await buildProgram(session);
  const help = program.createHelp();
  const paths = new Map<string, string[]>();
  const visit = (command: typeof program, path: string[]) => {
    const subs = help.visibleCommands(command);
    paths.set(path.join(' '), [
      ...subs.flatMap((s) => [s.name(), ...s.aliases()]),
      ...command.registeredArguments.flatMap((a) => a.argChoices ?? []),
      ...help.visibleOptions(command).flatMap((o) => (o.long ? [o.long] : [])),
    ]);
    for (const sub of subs) for (const name of [sub.name(), ...sub.aliases()]) visit(sub, [...path, name]);
  };
  visit(program, []);
  return paths;
}

/** bash's candidates for `pm WORDS… CUR`, as its completion machinery calls the function. */
function bashComplete(file: string, words: string[]): string[] {
  const out = execFileSync(
    'bash',
    [
      '-c',
      'source "$1"; shift; COMP_WORDS=(pm "$@"); COMP_CWORD=$#; _pm; printf "%s\\n" "${COMPREPLY[@]}"',
      'bash',
      file,
      ...words,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('pm completion', () => {
  it('bash: completes every command path of pm with its subcommands and options, and argument and option values from their choices', async () => {
    const file = await script('bash');
    const paths = await tree();
    expect(paths.size).toBeGreaterThan(40);
    for (const [path, expected] of paths) {
      const words = path === '' ? [''] : [...path.split(' '), ''];
      expect(bashComplete(file, words).sort(), `pm ${path} <TAB>`).toEqual([...expected].sort());
    }
    expect(bashComplete(file, ['it'])).toEqual(['item']);
    expect(bashComplete(file, ['--server', 'http://x', 'sync', 'ru'])).toEqual(['run', 'runs']);
    expect(bashComplete(file, ['completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(bashComplete(file, ['item', 'add', '--type', ''])).toEqual(['epic', 'story', 'task']);
    expect(bashComplete(file, ['item', 'add', '-t', 's'])).toEqual(['story']);
    expect(bashComplete(file, ['item', 'edit', 'WEB-1', '--priority', ''])).toEqual(['low', 'medium', 'high', 'critical']);
  });

  it('bash: offers the choices of dependency types, token scopes and enum list filters', async () => {
    const file = await script('bash');
    expect(bashComplete(file, ['dep', 'add', 'WEB-1', 'b'])).toEqual(['blocks']);
    expect(bashComplete(file, ['dep', 'add', 'WEB-1', 'r'])).toEqual(['relates_to']);
    expect(bashComplete(file, ['token', 'create', '--scope', ''])).toEqual(['read', 'write']);
    expect(bashComplete(file, ['item', 'list', '--type', ''])).toEqual(['epic', 'story', 'task']);
    expect(bashComplete(file, ['item', 'list', '--priority', 'c'])).toEqual(['critical']);
    expect(bashComplete(file, ['sprint', 'list', '--status', ''])).toEqual(['planned', 'active', 'completed', 'cancelled']);
  });

  it('zsh: offers the subcommands and options at the command typed so far', async () => {
    const file = await script('zsh');
    // compadd and compdef stand in for zsh's completion system, which needs a terminal.
    const run = (...words: string[]) =>
      execFileSync(
        'zsh',
        [
          '-f',
          '-c',
          'compdef() {}; compadd() { print -r -- "${@[2,-1]}" }; source "$1"; shift; words=(pm "$@"); CURRENT=${#words}; _pm',
          'zsh',
          file,
          ...words,
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split(/\s+/);
    expect(run('item', '')).toEqual(expect.arrayContaining(['add', 'list', 'move', '--help']));
    expect(run('item', 'add', '--p')).toEqual(expect.arrayContaining(['--parent', '--priority', '--points']));
    expect(run('completion', '')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(run('item', 'add', '--priority', '')).toEqual(['low', 'medium', 'high', 'critical']);
  });

  it('fish: completes commands with their descriptions, and options', async () => {
    const file = await script('fish');
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', file, line], { encoding: 'utf8' });
    expect(complete('pm it')).toMatch(/^item\tmanage work items/m);
    expect(
      complete('pm sync ru')
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['run', 'runs', '']);
    expect(complete('pm item add --pa')).toMatch(/^--parent\t/m);
    expect(
      complete('pm item add --type ')
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['epic', 'story', 'task', '']);
  });
});

describe('pm help', () => {
  it("prints a topic, a command's help, or names the topics when there is neither", async () => {
    const cwd = tempDir();
    for (const topic of ['sync', 'git', 'time', 'config']) {
      const r = await pm(['help', topic], { cwd });
      expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^\w+: /)]);
    }
    // The installed pm finds the topics' files beside its code.
    const installed = await pmProcess(['help', 'config'], { cwd });
    expect([installed.code, installed.stdout]).toEqual([0, expect.stringMatching(/^Config: \.pm\/config\.toml/)]);
    const command = await pm(['help', 'item', 'add'], { cwd });
    expect([command.code, command.stdout]).toEqual([0, expect.stringMatching(/^Usage: pm item add /)]);
    const bare = await pm(['help'], { cwd });
    expect(bare.stdout).toMatch(/^Usage: pm /);
    expect(bare.stdout).toMatch(/help \[topic\.\.\.\] +show a topic \(config, git, sync, time\)/);
    const unknown = await pm(['help', 'nope'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('topics are config, git, sync, time');
  });
});
