import { eastAsianWidth } from 'get-east-asian-width';

/**
 * Text of one column per UTF-16 unit: printable ASCII, Latin, Greek and Cyrillic letters (no
 * combining marks, no soft hyphen), general punctuation.
 */
const NARROW = /^[\u0020-\u007e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e]*$/;
/** The colour codes pm writes (SGR): they take no column. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const COLOUR = /\u001b\[[0-9;]*m/g;

/** What measuring text beyond ASCII needs; made on first use, as each costs milliseconds to make. */
interface Unicode {
  graphemes: Intl.Segmenter;
  /** Graphemes that start with these take no column: controls, combining marks, invisible format characters. */
  invisible: RegExp;
  /** An emoji as one grapheme (made at run time: TypeScript's target predates the `v` flag Node 20 has). */
  emoji: RegExp;
}
let unicode: Unicode | undefined;

/**
 * Terminal columns a string takes, as string-width counts them: graphemes, East Asian wide
 * characters and emoji two columns, invisible ones none. The grapheme segmenter and the emoji
 * pattern cost tens of milliseconds to make, more than a short command spends on its own work,
 * so they are made only for text that needs them.
 */
export function width(text: string): number {
  if (NARROW.test(text)) return text.length;
  unicode ??= {
    graphemes: new Intl.Segmenter(),
    invisible: /^[\p{Cc}\p{Mn}\p{Me}\p{Cs}\p{Default_Ignorable_Code_Point}]/u,
    emoji: new RegExp('^\\p{RGI_Emoji}$', 'v'),
  };
  let columns = 0;
  for (const { segment } of unicode.graphemes.segment(text.replace(COLOUR, ''))) {
    if (unicode.invisible.test(segment)) continue;
    columns += unicode.emoji.test(segment) ? 2 : eastAsianWidth(segment.codePointAt(0)!);
  }
  return columns;
}
