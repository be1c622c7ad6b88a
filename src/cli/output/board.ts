import type { Board, WorkItemView } from '../../tracker/index.js';
import type { Output } from './output.js';
import { cell, pad, truncate } from './table.js';

const MIN_COLUMN = 16;
const MAX_ROWS = 30;

/** Swim lanes side by side when the width allows, one after another otherwise. */
export function renderBoard(out: Output, board: Board, width: number): void {
  const c = out.c;
  const sprint = board.sprint
    ? ` · ${board.sprint.name} (${board.sprint.status}, ${board.sprint.start_date} → ${board.sprint.end_date})`
    : '';
  out.line(`${c.bold(board.project.key)} ${board.project.title}${c.dim(sprint)}`);
  out.line();
  const columns = board.columns.filter((col) => col.items.length > 0 || col.lane.deleted_at === null);
  const colWidth = Math.floor((width - 2 * (columns.length - 1)) / Math.max(1, columns.length));
  const points = (items: readonly WorkItemView[]) => items.reduce((s, i) => s + (i.story_points ?? 0), 0);
  const title = (name: string, items: readonly WorkItemView[]) =>
    `${name} (${items.length}${points(items) ? `, ${points(items)} pts` : ''})`;
  /** `KEY title`, cut and padded to `w`; the key coloured by priority. */
  const card = (item: WorkItemView, w: number) => {
    const key = item.priority === 'critical' ? c.red(item.key) : item.priority === 'high' ? c.yellow(item.key) : c.cyan(item.key);
    return key + pad(truncate(`${item.key} ${cell(item.title)}`, w), w).slice(item.key.length);
  };

  if (colWidth >= MIN_COLUMN) {
    const shown = columns.map((col) => col.items.slice(0, MAX_ROWS));
    const rows = Math.max(0, ...shown.map((items) => items.length));
    out.line(
      columns
        .map((col) => c.bold(pad(truncate(title(col.lane.name, col.items), colWidth), colWidth)))
        .join('  ')
        .trimEnd(),
    );
    out.line(columns.map(() => c.dim('─'.repeat(colWidth))).join('  '));
    for (let r = 0; r < rows; r++) {
      const line = columns.map((_, i) => {
        const item = shown[i]![r];
        return item ? card(item, colWidth) : ' '.repeat(colWidth);
      });
      out.line(line.join('  ').trimEnd());
    }
    const more = columns.map((col) =>
      col.items.length > MAX_ROWS ? c.dim(pad(`+${col.items.length - MAX_ROWS} more`, colWidth)) : ' '.repeat(colWidth),
    );
    if (columns.some((col) => col.items.length > MAX_ROWS)) out.line(more.join('  ').trimEnd());
  } else {
    for (const col of columns) {
      out.line(c.bold(title(col.lane.name, col.items)));
      for (const item of col.items.slice(0, MAX_ROWS)) out.line(`  ${card(item, Math.max(20, width - 2))}`.trimEnd());
      if (col.items.length > MAX_ROWS) out.line(c.dim(`  +${col.items.length - MAX_ROWS} more`));
    }
  }
  if (board.unplaced.length > 0) {
    out.line();
    out.line(
      c.yellow(
        `${board.unplaced.length} item(s) have a status with no lane: ${board.unplaced
          .map((i) => `${i.key} (${i.status})`)
          .slice(0, 10)
          .join(', ')}`,
      ),
    );
  }
}
