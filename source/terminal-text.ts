/**
 * Session text is untrusted (tool output, fetched pages, files): written to a terminal as it is, it
 * would drive it. One filter for every place that shows it, the TUI and the commands' human output.
 */

/**
 * Terminal escape sequences (CSI such as colours and cursor moves, OSC such as window title or OSC 52
 * clipboard writes, DCS/SOS/PM/APC strings, and any other ESC pair) and the C0/C1 control characters
 * other than tab, newline and the \u0001/\u0002 markers search snippets use.
 */
const TERMINAL_ESCAPES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u001B[PX^_][^\u001B]*(?:\u001B\\)?|\u001B[\s\S]?|\u009B[0-?]*[ -/]*[@-~]|\u009D[^\u0007\u009C]*[\u0007\u009C]?/g;
const CONTROL_CHARS = /[\u0000\u0003-\u0008\u000B-\u001F\u007F-\u009F]/g;
const ANY_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Text safe to write to a terminal: escape sequences and control characters removed. */
export function plainText(text: string): string {
	return ANY_CONTROL.test(text) ? text.replace(TERMINAL_ESCAPES, '').replace(CONTROL_CHARS, '') : text;
}
