import { scrubProcessSecrets } from './redactor.js';

/**
 * Text that comes from outside — Polaris's and the sources' error bodies, token endpoints' error
 * descriptions, names and keys in requests — on its way to a terminal, a log, an HTTP answer or the
 * ledger. Three rules, always in this order:
 *   1. scrub secrets first: cut in half by a bound, a secret would no longer match the scrubber;
 *   2. make control characters visible: an escape sequence in a remote message must not drive the
 *      operator's terminal (move the cursor, retitle the window, hide the lines before it);
 *   3. then bound the length: one answer must not fill a log, a status page or the ledger.
 */

/** The usual bound of one remote message kept or shown (a Polaris error, a source's failure). */
export const EXCERPT_CHARS = 1000;

/**
 * C0 controls (ESC, BEL, backspace, carriage return, …), DEL, C1 controls (0x9b is a one-byte CSI
 * on many terminals), the Unicode line and paragraph separators and the bidirectional overrides
 * and isolates that can reorder what a reader sees.
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Replaces control characters with their visible escape, `\u001b` for ESC. That spelling is also a
 * valid escape inside a JSON string, so neutralising a JSON document keeps it valid JSON.
 * `keepLineBreaks` keeps "\n" and "\t" — for output whose own layout uses them (never for a single
 * remote message, whose line breaks could fake lines of output).
 */
export function neutraliseControls(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  const pattern = options.keepLineBreaks ? CONTROLS_BUT_LINE_BREAKS : CONTROLS;
  return text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Cuts text to at most maxChars characters, never inside a surrogate pair, saying how much was cut. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const note = (cut: number) => `… [${cut} more characters]`;
  let keep = Math.max(0, maxChars - note(text.length).length);
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep--; // a high surrogate without its pair
  return `${text.slice(0, keep)}${note(text.length - keep)}`;
}

/**
 * A remote text made safe to keep or show: secrets scrubbed (every secret this process knows), control
 * characters made visible, then cut to maxChars.
 */
export function excerpt(text: string, maxChars = EXCERPT_CHARS): string {
  return truncateText(neutraliseControls(scrubProcessSecrets(text)), maxChars);
}
