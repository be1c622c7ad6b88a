import type { Command } from 'commander';
import { ValidationError } from '../../domain/index.js';
import { findWorkspace, getConfigValue, readConfig, setConfigValue, tomlValue } from '../../workspace/index.js';
import { example, jsonOption } from '../options.js';
import type { Session } from '../session.js';

export function registerConfig(program: Command, session: Session): void {
  const out = session.out;
  const config = program.command('config').description('read and change settings in .pm/config.toml (pm help config)');
  const file = () => findWorkspace(session.io.cwd, session.io.env).config;

  config
    .command('get')
    .description('print a setting (nothing, and a note, when it is not set)')
    .argument('<key>', 'a dotted key: default_project, sync.auto_export, aliases.NAME …')
    .addOption(jsonOption())
    .addHelpText('after', example('pm config get default_project', 'pm config get workflow.done_statuses'))
    .action((key: string, opts: { json?: boolean }) => {
      const value = getConfigValue(readConfig(file()), key);
      if (opts.json) return out.json(value ?? null);
      if (value === undefined) return out.note(out.c.dim(`${key} is not set`));
      out.line(typeof value === 'string' ? value : tomlValue(value));
    });

  config
    .command('set')
    .description('change a setting, checked against what the key takes (comments in the file stay)')
    .argument('<key>', 'a dotted key: default_project, sync.auto_export, aliases.NAME …')
    .argument('<value>', 'text, or a TOML value: true, 3, ["done", "closed"]')
    .addHelpText(
      'after',
      example(
        'pm config set default_project WEB',
        'pm config set sync.auto_export false',
        'pm config set workflow.done_statuses \'["done", "wontfix"]\'',
        'pm config set aliases.mine "item list --assignee me"',
      ),
    )
    .action(async (key: string, text: string) => {
      const alias = /^aliases\.(.+)$/.exec(key)?.[1];
      if (alias !== undefined) {
        const { COMMAND_NAMES } = await import('../main.js');
        if (COMMAND_NAMES.includes(alias)) {
          throw new ValidationError([{ path: key, message: `"${alias}" is a pm command: an alias cannot replace it` }]);
        }
      }
      const value = setConfigValue(file(), key, text);
      out.line(`Set ${key} = ${tomlValue(value)}`);
    });
}
