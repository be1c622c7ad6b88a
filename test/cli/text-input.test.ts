import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { boundPm, pmProcess, testEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cli: ReturnType<typeof boundPm>;
let editor: string;

/** An editor that appends a known line to what it was given, so a test sees both. */
beforeAll(() => {
  editor = join(tempDir(), 'fake-editor.sh');
  writeFileSync(editor, '#!/bin/sh\nprintf "%s\\n" "written in the editor" >> "$1"\n');
  chmodSync(editor, 0o755);
});

beforeEach(async () => {
  dir = tempDir();
  cli = boundPm(dir);
  await cli.ok(['init']);
  await cli.ok(['project', 'add', 'WEB', 'Website']);
});

const description = async (key: string) => (await cli.json<{ description: string | null }>(['item', 'show', key])).description;

describe('long text from a file, stdin or the editor', () => {
  it('reads --description-file for item add and edit, and project add', async () => {
    writeFileSync(join(dir, 'spec.md'), '# Card form\n\nLine two\n');
    await cli.ok(['item', 'add', 'Card form', '--description-file', 'spec.md']);
    expect(await description('WEB-1')).toBe('# Card form\n\nLine two');
    writeFileSync(join(dir, 'spec.md'), 'Changed\n');
    await cli.ok(['item', 'edit', 'WEB-1', '--description-file', 'spec.md']);
    expect(await description('WEB-1')).toBe('Changed');
    await cli.ok(['project', 'add', 'API', 'Api', '--description-file', 'spec.md']);
    expect((await cli.json<{ description: string }>(['project', 'show', 'API'])).description).toBe('Changed');
  });

  it('reads a sprint goal from a file and writes it in the editor', async () => {
    writeFileSync(join(dir, 'goal.md'), 'Ship checkout\n');
    await cli.ok(['sprint', 'add', 'S1', '--start', '2026-12-01', '--end', '2026-12-14', '--goal-file', 'goal.md']);
    await cli.ok(['sprint', 'edit', 'S1', '-e'], { EDITOR: editor });
    expect((await cli.json<{ goal: string }>(['sprint', 'show', 'S1'])).goal).toBe('Ship checkout\nwritten in the editor');
  });

  it('refuses a missing file and two sources at once, naming the flags', async () => {
    const missing = await cli.run(['item', 'add', 'X', '--description-file', 'nope.md']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/--description-file.*nope\.md: no such file/)]);
    writeFileSync(join(dir, 'a.md'), 'a');
    const both = await cli.run(['item', 'add', 'X', '--description', 'inline', '--description-file', 'a.md']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('give the text one way')]);
  });

  it('opens $EDITOR on the current description with --edit, $VISUAL first', async () => {
    await cli.ok(['item', 'add', 'Card form', '--description', 'Before']);
    await cli.ok(['item', 'edit', 'WEB-1', '-e'], { EDITOR: editor });
    expect(await description('WEB-1')).toBe('Before\nwritten in the editor');
    await cli.ok(['item', 'add', 'Other', '--edit'], { VISUAL: editor, EDITOR: '/bin/false' });
    expect(await description('WEB-2')).toBe('written in the editor');
  });

  it('leaves the record alone when the editor fails or leaves the text empty', async () => {
    await cli.ok(['item', 'add', 'Card form', '--description', 'Before']);
    const failed = await cli.run(['item', 'edit', 'WEB-1', '-e'], { EDITOR: '/bin/false' });
    expect([failed.code, failed.stderr]).toEqual([2, expect.stringContaining('nothing changed')]);
    const emptied = await cli.run(['item', 'edit', 'WEB-1', '-e'], { EDITOR: 'truncate -s 0' });
    expect([emptied.code, emptied.stderr]).toEqual([2, expect.stringContaining('the text is empty')]);
    expect(await description('WEB-1')).toBe('Before');
  });

  it('comment add and edit take --file and --edit; without text a script is told how to give it', async () => {
    await cli.ok(['item', 'add', 'Card form']);
    writeFileSync(join(dir, 'c.md'), 'From a file\n');
    const added = await cli.json<{ id: string }>(['comment', 'add', 'WEB-1', '--file', 'c.md']);
    await cli.ok(['comment', 'edit', added.id, '--edit'], { EDITOR: editor });
    const comments = await cli.json<{ content: string }[]>(['comment', 'list', 'WEB-1']);
    expect(comments.map((c) => c.content)).toEqual(['From a file\nwritten in the editor']);
    const bare = await cli.run(['comment', 'add', 'WEB-1']);
    expect([bare.code, bare.stderr]).toEqual([2, expect.stringContaining('- for stdin, --file or --edit')]);
  });

  it('opens the editor for a comment given no text on a terminal', async () => {
    await cli.ok(['item', 'add', 'Card form']);
    const code = await main(['comment', 'add', 'WEB-1'], {
      cwd: dir,
      env: testEnv({ EDITOR: editor }),
      stdout: { write: () => true },
      stderr: { write: () => true },
      isTTY: true,
      columns: 80,
    });
    expect(code).toBe(0);
    expect((await cli.json<{ content: string }[]>(['comment', 'list', 'WEB-1'])).map((c) => c.content)).toEqual([
      'written in the editor',
    ]);
  });

  it('time start, add and edit take the description from stdin, a file or the editor, one way at a time', async () => {
    await cli.ok(['item', 'add', 'Card form']);
    const descriptions = async () =>
      (await cli.json<{ description: string | null }[]>(['time', 'list', 'WEB-1'])).map((e) => e.description).sort();
    writeFileSync(join(dir, 'did.md'), 'Reviewed\nthe form\n');
    const added = await cli.json<{ id: string }>(['time', 'add', 'WEB-1', '--duration', '30m', '--description-file', 'did.md']);
    await cli.ok(['time', 'edit', added.id, '-e'], { EDITOR: editor });
    const started = await pmProcess(['time', 'start', 'WEB-1', '--description', '-'], { cwd: dir, stdin: 'Pairing\n' });
    expect(started.code, started.stderr).toBe(0);
    expect(await descriptions()).toEqual(['Pairing', 'Reviewed\nthe form\nwritten in the editor']);
    const both = await cli.run([
      'time',
      'add',
      'WEB-1',
      '--duration',
      '1h',
      '--description',
      'x',
      '--description-file',
      'did.md',
    ]);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('--description: give the text one way')]);
    const missing = await cli.run(['time', 'edit', added.id, '--description-file', 'gone.md']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/--description-file.*gone\.md: no such file/)]);
    expect(await descriptions()).toHaveLength(2);
  });

  it('reads - from stdin for a description and a comment (process)', async () => {
    await cli.ok(['item', 'add', 'Card form']);
    const edit = await pmProcess(['item', 'edit', 'WEB-1', '--description', '-'], { cwd: dir, stdin: 'Piped\nin\n' });
    expect(edit.code, edit.stderr).toBe(0);
    expect(await description('WEB-1')).toBe('Piped\nin');
    const add = await pmProcess(['comment', 'add', 'WEB-1', '-'], { cwd: dir, stdin: 'A piped comment\n' });
    expect(add.code, add.stderr).toBe(0);
    expect((await cli.json<{ content: string }[]>(['comment', 'list', 'WEB-1']))[0]!.content).toBe('A piped comment');
  });
});
