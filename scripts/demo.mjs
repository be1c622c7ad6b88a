// `npm run demo`: a sample git repository in a temp folder with a project, sprints, an epic with
// stories and tasks, comments, dependencies and time entries; then pm's board of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pmBin = fileURLToPath(new URL('../dist/pm.js', import.meta.url));
const repo = mkdtempSync(join(tmpdir(), 'pm-demo-'));
const env = {
  ...process.env,
  PM_ACTOR: process.env.PM_ACTOR ?? 'alice@example.com',
  COLUMNS: String(process.stdout.columns ?? 120),
};
const quiet = { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] };

function pm(...args) {
  const shown = args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  process.stdout.write(`$ pm ${shown}\n`);
  const out = execFileSync(process.execPath, [pmBin, ...args], { ...quiet, encoding: 'utf8' });
  process.stdout.write(out.replace(/^/gm, '  ').replace(/ +$/gm, ''));
}

execFileSync('git', ['init', '-q', '-b', 'main'], quiet);
execFileSync('git', ['config', 'user.email', 'alice@example.com'], quiet);
execFileSync('git', ['config', 'user.name', 'Alice'], quiet);
process.stdout.write(`Sample repository: ${repo}\n\n`);

pm('init');
pm('project', 'add', 'SHOP', 'Online shop relaunch', '--description', 'New checkout and catalogue');
pm(
  'sprint',
  'add',
  'Sprint 1',
  '--start',
  '2026-12-01',
  '--end',
  '2026-12-14',
  '--goal',
  'Customers can pay by card',
  '--status',
  'active',
);
pm('sprint', 'add', 'Sprint 2', '--start', '2026-12-15', '--end', '2026-12-28', '--goal', 'Catalogue search');
pm('item', 'add', '--type', 'epic', 'Checkout', '--priority', 'high');
pm(
  'item',
  'add',
  '--type',
  'story',
  'Pay by card',
  '--parent',
  'SHOP-1',
  '--points',
  '5',
  '--sprint',
  'Sprint 1',
  '--status',
  'in_progress',
  '--assignee',
  'alice@example.com',
);
pm(
  'item',
  'add',
  '--type',
  'story',
  'Order confirmation email',
  '--parent',
  'SHOP-1',
  '--points',
  '3',
  '--sprint',
  'Sprint 1',
  '--status',
  'todo',
);
pm(
  'item',
  'add',
  '--type',
  'task',
  'Get payment provider API keys',
  '--parent',
  'SHOP-2',
  '--sprint',
  'Sprint 1',
  '--status',
  'done',
  '--assignee',
  'bob@example.com',
);
pm(
  'item',
  'add',
  '--type',
  'task',
  'Card form with validation',
  '--parent',
  'SHOP-2',
  '--sprint',
  'Sprint 1',
  '--status',
  'review',
  '--assignee',
  'alice@example.com',
);
pm(
  'item',
  'add',
  '--type',
  'task',
  'Email template',
  '--parent',
  'SHOP-3',
  '--sprint',
  'Sprint 1',
  '--status',
  'todo',
  '--priority',
  'low',
);
pm('item', 'add', '--type', 'epic', 'Catalogue search');
pm('item', 'add', '--type', 'story', 'Search by name', '--parent', 'SHOP-7', '--points', '8', '--sprint', 'Sprint 2');
pm('dep', 'add', 'SHOP-4', 'blocks', 'SHOP-5');
pm('dep', 'add', 'SHOP-2', 'blocks', 'SHOP-3');
pm('dep', 'add', 'SHOP-8', 'relates_to', 'SHOP-2');
pm('comment', 'add', 'SHOP-2', 'Use the provider hosted fields, so card data never touches our servers.');
pm('comment', 'add', 'SHOP-5', 'Needs the design review from Friday.');
pm('time', 'add', 'SHOP-4', '--duration', '45m', '--description', 'Requested keys, set up sandbox');
pm('time', 'add', 'SHOP-5', '--duration', '2h30m', '--description', 'Form and client-side validation');
pm('ready');
pm('item', 'show', 'SHOP-2');
pm('board');
process.stdout.write(`\nTry it yourself:  cd ${repo} && node ${pmBin} item list --all\n`);
