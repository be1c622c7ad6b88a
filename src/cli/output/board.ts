import type { Board, WorkItemView } from '../../tracker/index.js';
import type { Output } from './output.js';
import { cell, pad, truncate } from './table.js';
import { width as textWidth } from './width.js';

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
  const points = (items: readonly WorkItemView[]) => items.reduce((s, i) => s + (i.story_points ?? 0), 0);
  const title = (name: string, items: readonly WorkItemView[]) =>
    `${name} (${items.length}${points(items) ? `, ${points(items)} pts` : ''})`;
  /** `KEY title`, cut and padded to `w`; the key coloured by priority. */
  const card = (item: WorkItemView, w: number) => {
    const key = item.priority === 'critical' ? c.red(item.key) : item.priority === 'high' ? c.yellow(item.key) : c.cyan(item.key);
    return key + pad(truncate(`${item.key} ${cell(item.title)}`, w), w).slice(item.key.length);
  };

  const widths = laneWidths(
    columns.map((col) => (col.items.length > 0 ? undefined : title(col.lane.name, col.items))),
    width,
  );
  if (widths) {
    const shown = columns.map((col) => col.items.slice(0, MAX_ROWS));
    const rows = Math.max(0, ...shown.map((items) => items.length));
    out.line(
      columns
        .map((col, i) => c.bold(pad(truncate(title(col.lane.name, col.items), widths[i]!), widths[i]!)))
        .join('  ')
        .trimEnd(),
    );
    out.line(columns.map((_, i) => c.dim('─'.repeat(widths[i]!))).join('  '));
    for (let r = 0; r < rows; r++) {
      const line = columns.map((_, i) => {
        const item = shown[i]![r];
        return item ? card(item, widths[i]!) : ' '.repeat(widths[i]!);
      });
      out.line(line.join('  ').trimEnd());
    }
    const more = columns.map((col, i) =>
      col.items.length > MAX_ROWS ? c.dim(pad(`+${col.items.length - MAX_ROWS} more`, widths[i]!)) : ' '.repeat(widths[i]!),
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

/**
 * The width of each lane side by side, or undefined when the lanes with cards would be narrower
 * than MIN_COLUMN. An empty lane (its title given) takes only its title's width, so the cards
 * share the rest of the terminal.
 */
export function laneWidths(emptyTitles: readonly (string | undefined)[], width: number): number[] | undefined {
  const fixed = emptyTitles.map((t) => (t === undefined ? 0 : Math.min(MIN_COLUMN, textWidth(t))));
  const full = emptyTitles.filter((t) => t === undefined).length;
  const left = width - 2 * (emptyTitles.length - 1) - fixed.reduce((a, b) => a + b, 0);
  const each = full > 0 ? Math.floor(left / full) : MIN_COLUMN;
  if (each < MIN_COLUMN) return undefined;
  return fixed.map((w) => w || each);
}
