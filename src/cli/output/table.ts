import { terminalSafe } from './terminal-safe.js';
import { width } from './width.js';

export interface Column {
  header: string;
  /** The column that gives up width first when the table is wider than the terminal. */
  flex?: boolean;
  /** Gives up width next, after the flex column is down to FLEX_MIN; other columns are never cut. */
  shrink?: boolean;
  align?: 'left' | 'right';
}

export function truncate(text: string, max: number): string {
  if (width(text) <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = width(ch);
    if (used + w > max - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

export function pad(text: string, size: number, align: 'left' | 'right' = 'left'): string {
  const gap = Math.max(0, size - width(text));
  return align === 'right' ? ' '.repeat(gap) + text : text + ' '.repeat(gap);
}

/** One line of a cell: the first line of the text, tabs as spaces, control characters written out. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : `${value as string | number | boolean}`;
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  return terminalSafe(firstLine.replace(/\t/g, ' ')) + (firstLine.length < text.length ? ' …' : '');
}

const FLEX_MIN = 20;

/**
 * Narrows the columns to `total`: the flex column (a title) down to FLEX_MIN, then the shrink
 * columns (an assignee) down to their headers, then the flex column down to its header. Keys,
 * statuses and numbers keep their width, so what identifies a row is never cut.
 */
function fitWidths(columns: readonly Column[], widths: number[], total: number): void {
  let over = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1) - total;
  const give = (i: number, floor: number) => {
    const taken = Math.max(0, Math.min(over, widths[i]! - floor));
    widths[i]! -= taken;
    over -= taken;
  };
  const flex = columns.findIndex((c) => c.flex);
  const least = (i: number) => width(columns[i]!.header);
  if (flex >= 0) give(flex, Math.max(least(flex), FLEX_MIN));
  columns.forEach((c, i) => c.shrink && give(i, Math.max(least(i), 3)));
  if (flex >= 0) give(flex, least(flex));
}

/**
 * A borderless table like `git` and `kubectl` print. With a terminal width, the flex column is
 * cut to fit; `style` decorates the header (colour is applied after widths are measured).
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly unknown[])[],
  options: { width?: number; header?: (text: string) => string } = {},
): string {
  const cells = rows.map((row) => columns.map((_, i) => cell(row[i])));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))));
  if (options.width !== undefined) fitWidths(columns, widths, options.width);
  const header = options.header ?? ((t: string) => t);
  // The last column is not padded on the right: no trailing spaces.
  const cellWidth = (i: number) => (i === columns.length - 1 && columns[i]!.align !== 'right' ? 0 : widths[i]!);
  const lines = [
    columns
      .map((c, i) => header(pad(c.header, i === columns.length - 1 ? 0 : widths[i]!, c.align)))
      .join('  ')
      .trimEnd(),
  ];
  for (const row of cells) {
    lines.push(
      row
        .map((text, i) => pad(truncate(text, widths[i]!), cellWidth(i), columns[i]!.align))
        .join('  ')
        .trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}
