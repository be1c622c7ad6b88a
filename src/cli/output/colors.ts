/** The terminal styles pm prints with. */
export interface Colors {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * A style: `open` before, `close` after, and a `close` inside the text (a nested style ending)
 * turned into `reopen`, so the outer style goes on after it.
 */
function style(open: string, close: string, reopen = open): (text: string) => string {
  return (text) => open + (text.includes(close) ? text.split(close).join(reopen) : text) + close;
}

const plain = (text: string): string => text;

/** Exactly the sequences the styles below write: what the output lets through when colour is on. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
export const STYLE_CODES = /\u001b\[(?:1|2|22|31|33|36|39)m/g;

/**
 * SGR styles, or none. (picocolors does the same, but reads `process.stdout` as it loads,
 * which creates the stream: pm writes to a pipe or file without one.)
 */
export function createColors(enabled: boolean): Colors {
  if (!enabled) return { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain };
  return {
    bold: style('\u001b[1m', '\u001b[22m', '\u001b[22m\u001b[1m'),
    dim: style('\u001b[2m', '\u001b[22m', '\u001b[22m\u001b[2m'),
    red: style('\u001b[31m', '\u001b[39m'),
    yellow: style('\u001b[33m', '\u001b[39m'),
    cyan: style('\u001b[36m', '\u001b[39m'),
  };
}
