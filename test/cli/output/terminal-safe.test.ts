import { describe, expect, it } from 'vitest';
import { Output } from '../../../src/cli/output/output.js';
import { terminalSafe } from '../../../src/cli/output/terminal-safe.js';
import { boundPm } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const HOSTILE = 'Evil \u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eexe.txt\r\u0000 end';
/** What a terminal would act on: ESC, BEL, CR, NUL, C1 controls, bidi overrides. */
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const ACTED_ON = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('writes out every character a terminal would act on and keeps newlines, tabs and other text', () => {
    expect(terminalSafe(HOSTILE)).toBe('Evil \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eexe.txt\\x0d\\x00 end');
    expect(terminalSafe('a\n\tb – 漢字 🚀')).toBe('a\n\tb – 漢字 🚀');
    expect(terminalSafe(terminalSafe(HOSTILE))).toBe(terminalSafe(HOSTILE));
  });

  it("lets pm's own colours through when it is told to, and nothing else", () => {
    const out: string[] = [];
    const io = { cwd: '/', env: {}, stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => 0 } };
    const o = new Output({ ...io, isTTY: true, columns: 80 });
    o.line(o.c.bold(`title ${HOSTILE}`));
    expect(out[0]!.startsWith('\u001b[1mtitle Evil \\x1b]0;pwned')).toBe(true);
    expect(out[0]!.replaceAll('\u001b[1m', '').replaceAll('\u001b[22m', '')).not.toMatch(ACTED_ON);
  });
});

describe('terminal output of hostile text', () => {
  it('reaches the terminal written out in item show, the Created line, lists and errors, and exactly in --json', async () => {
    const cli = boundPm(tempDir());
    await cli.ok(['init']);
    await cli.ok(['project', 'add', 'WEB', 'Web']);
    const created = await cli.ok(['item', 'add', '--type', 'task', HOSTILE, '--description', `line one\n${HOSTILE}`]);
    await cli.ok(['comment', 'add', 'WEB-1', HOSTILE]);
    const show = await cli.ok(['item', 'show', 'WEB-1']);
    const list = await cli.ok(['item', 'list']);
    const missing = await cli.run(['item', 'show', `WEB-9${HOSTILE}`]);
    const unknown = await cli.run(['item', `list${HOSTILE}`]);
    for (const text of [created.stdout, show.stdout, list.stdout]) expect(text).toContain('Evil \\x1b]0;pwned');
    for (const text of [created.stdout, show.stdout, list.stdout, missing.stderr, unknown.stderr]) {
      expect(text).toContain('pwned');
      expect(text).not.toMatch(ACTED_ON);
    }
    expect(show.stdout).toContain('line one\n');
    expect(missing.code).toBe(3);
    const json = await cli.json<{ title: string; description: string }>(['item', 'show', 'WEB-1']);
    expect(json.title).toBe(HOSTILE);
    expect(json.description).toBe(`line one\n${HOSTILE}`);
  });
});
