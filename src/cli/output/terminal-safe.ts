/**
 * Characters a terminal acts on instead of showing: C0 controls but newline and tab, DEL, C1
 * controls (U+0080–U+009F: a lone U+009B starts a control sequence on some terminals) and the
 * bidirectional overrides and isolates, which reorder what follows ("Trojan source").
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text as a terminal should get it: every character it would act on written out as an escape
 * (`\x1b`, `\u202e`), so a title or a remote's error message can neither move the cursor, set
 * the window title, hide text nor reorder a line. `keep` matches the sequences pm writes itself
 * (its colours), which pass unchanged. Idempotent: its output holds nothing it would change.
 */
export function terminalSafe(text: string, keep?: RegExp): string {
  if (!keep) return text.replace(UNSAFE, visible);
  let out = '';
  let at = 0;
  for (const m of text.matchAll(keep)) {
    out += text.slice(at, m.index).replace(UNSAFE, visible) + m[0];
    at = m.index + m[0].length;
  }
  return out + text.slice(at).replace(UNSAFE, visible);
}
