// Terminal-safe text: names and values from a chart reach the user's terminal only with their control characters escaped.

// Control characters (ESC, BEL, CR, C1, the Unicode line separators) could rewrite what the user sees: a chart
// could hide a warning or fake a verdict. Line feeds and tabs are the messages' own.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** escapeControls writes each control character but line feed and tab as `\xNN` (or `\uNNNN`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
