import { beforeEach, describe, expect, it } from 'vitest';
import { boundPm } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let cli: ReturnType<typeof boundPm>;

beforeEach(async () => {
  cli = boundPm(tempDir());
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
});

describe('pm item add', () => {
  it('adds a task without --type, the type item.default_type names when set, and another with -t', async () => {
    expect((await cli.json<{ item_type: string }>(['item', 'add', 'Plain'])).item_type).toBe('task');
    expect((await cli.json<{ item_type: string }>(['item', 'add', '-t', 'epic', 'Big'])).item_type).toBe('epic');
    await cli.ok(['config', 'set', 'item.default_type', 'story']);
    expect((await cli.json<{ item_type: string }>(['item', 'add', 'Told'])).item_type).toBe('story');
    expect((await cli.json<{ item_type: string }>(['item', 'add', '--type', 'task', 'Given'])).item_type).toBe('task');
  });

  it('lists the values of enum flags in --help and refuses others, naming the flag', async () => {
    const help = (await cli.ok(['item', 'add', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('-t, --type <type>');
    expect(help).toContain('(choices: "epic", "story", "task")');
    expect(help).toContain('(choices: "low", "medium", "high", "critical")');
    expect((await cli.ok(['sprint', 'add', '--help'])).stdout.replace(/\s+/g, ' ')).toContain(
      '(choices: "planned", "active", "completed", "cancelled")',
    );
    for (const [args, flag] of [
      [['item', 'add', '--type', 'bug', 'X'], '--type'],
      [['item', 'add', '--priority', 'urgent', 'X'], '--priority'],
      [['item', 'edit', 'WEB-1', '-t', 'bug'], '--type'],
      [['project', 'edit', 'WEB', '--status', 'closed'], '--status'],
    ] as const) {
      const r = await cli.run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringContaining(flag)]);
    }
  });

  it('names the flags, not the fields, in the errors of add, edit and list', async () => {
    await cli.ok(['item', 'add', 'One']);
    const cases: [string[], string][] = [
      [['item', 'add', 'X', '--points', '5000'], 'error: --points: must be at most 1000'],
      [['item', 'add', 'X', '--status', 'nope'], 'error: --status: "nope" is not a lane of WEB'],
      [['item', 'edit', 'WEB-1', '--points', '5000'], 'error: --points: '],
      [
        ['item', 'list', '--priority', 'urgent'],
        "error: option '--priority <priority...>' argument 'urgent' is invalid. Allowed",
      ],
      [['item', 'list', '--type', 'bug'], "error: option '--type <type...>' argument 'bug' is invalid. Allowed choices"],
    ];
    for (const [args, message] of cases) {
      const r = await cli.run(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringContaining(message)]);
    }
  });
});
