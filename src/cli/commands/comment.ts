import type { Command } from 'commander';
import { shortId } from '../../domain/index.js';
import { example, ifVersionOption, jsonOption } from '../options.js';
import { COMMENT_VIEW } from '../output/format.js';
import { listOptions, printList, type ListFlags } from '../output/list.js';
import { publicRecord } from '../output/output.js';
import type { Session } from '../session.js';
import { editOption, requiredText } from '../text-input.js';
import { Option } from 'commander';

const TEXT_FLAGS = { value: '<text>', file: '--file' };
const fileOpt = () => new Option('--file <file>', 'read the text from a file');

export function registerComment(program: Command, session: Session): void {
  const out = session.out;
  const comment = program.command('comment').description('comment on work items');

  comment
    .command('add')
    .description('comment on an item')
    .argument('<item>', 'display key or id')
    .argument('[text]', 'the comment; - reads stdin; left out on a terminal, your editor opens')
    .addOption(fileOpt())
    .addOption(editOption('comment'))
    .addOption(jsonOption())
    .addHelpText('after', example('pm comment add WEB-12 "Blocked on the payment API keys"'))
    .action(async (item: string, given: string | undefined, opts: { file?: string; edit?: boolean; json?: boolean }) => {
      const text = await requiredText(session.io, { value: given, file: opts.file, edit: opts.edit }, TEXT_FLAGS);
      const created = await (await session.tracker()).addComment({ item, content: text });
      if (opts.json) return out.json(publicRecord(created));
      out.line(`Added comment ${shortId(created.id)} to ${item}`);
    });

  const commentList = comment
    .command('list')
    .description("list an item's comments, oldest first")
    .argument('<item>', 'display key or id');
  listOptions(commentList, COMMENT_VIEW.fields)
    .addHelpText('after', example('pm comment list WEB-12', "pm comment list WEB-12 --format '{created_by}: {content}'"))
    .action(async (item: string, opts: ListFlags) => {
      const comments = await (await session.tracker()).listComments(item);
      await printList(out, COMMENT_VIEW, comments, opts, 'No comments.');
    });

  comment
    .command('edit')
    .description("change a comment's text")
    .argument('<id>', 'comment id (or the tail shown by list)')
    .argument('[text]', 'the new text; - reads stdin; left out on a terminal, your editor opens')
    .addOption(fileOpt())
    .addOption(editOption('comment'))
    .addOption(ifVersionOption())
    .addOption(jsonOption())
    .addHelpText('after', example('pm comment edit 3f9a1b2c4d5e "Unblocked: keys arrived"'))
    .action(
      async (
        id: string,
        given: string | undefined,
        opts: { file?: string; edit?: boolean; ifVersion?: number; json?: boolean },
      ) => {
        const tracker = await session.tracker();
        const before = await tracker.getComment(id);
        const text = await requiredText(
          session.io,
          { value: given, file: opts.file, edit: opts.edit },
          TEXT_FLAGS,
          before.content,
        );
        const updated = await tracker.editComment(id, text, opts.ifVersion);
        if (opts.json) return out.json(publicRecord(updated));
        out.edited(before, updated, `comment ${shortId(updated.id)}`, `Updated comment ${shortId(updated.id)}`);
      },
    );

  comment
    .command('rm')
    .description('delete a comment')
    .argument('<id>', 'comment id (or the tail shown by list)')
    .addOption(jsonOption())
    .addHelpText('after', example('pm comment rm 3f9a1b2c4d5e'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const removed = await (await session.tracker()).removeComment(id);
      if (opts.json) return out.json(publicRecord(removed));
      out.line(`Deleted comment ${shortId(removed.id)}`);
    });
}
