/**
 * A reducer-based single-line text input (G13: ink-text-input computes from closed-over state and
 * loses keys that arrive in one chunk; a reducer cannot).
 */
import type {KeyEvent} from './keymap.js';

export type TextInputState = {
	value: string;
	/** Cursor position in code units, 0..value.length. */
	cursor: number;
};

export const emptyInput: TextInputState = {value: '', cursor: 0};

export function inputOf(value: string): TextInputState {
	return {value, cursor: value.length};
}

/** Apply one key event; events that are not text editing return the state unchanged. */
export function editInput(state: TextInputState, event: KeyEvent): TextInputState {
	const {value, cursor} = state;
	switch (event.command) {
		case 'input/insert': {
			return {value: value.slice(0, cursor) + event.text + value.slice(cursor), cursor: cursor + event.text.length};
		}

		case 'input/backspace': {
			if (cursor === 0) {
				return state;
			}

			const before = [...value.slice(0, cursor)];
			before.pop();
			const head = before.join('');
			return {value: head + value.slice(cursor), cursor: head.length};
		}

		// By code point: stepping into the middle of an emoji's surrogate pair and typing there would
		// write a broken string (lone surrogates) into an alias, a tag or a query.
		case 'input/left': {
			return {value, cursor: Math.max(0, cursor - (isLowSurrogate(value, cursor - 1) && isHighSurrogate(value, cursor - 2) ? 2 : 1))};
		}

		case 'input/right': {
			return {value, cursor: Math.min(value.length, cursor + (isHighSurrogate(value, cursor) && isLowSurrogate(value, cursor + 1) ? 2 : 1))};
		}

		case 'input/home': {
			return {value, cursor: 0};
		}

		case 'input/end': {
			return {value, cursor: value.length};
		}

		case 'input/clear': {
			return emptyInput;
		}

		default: {
			return state;
		}
	}
}

function isHighSurrogate(text: string, index: number): boolean {
	const code = text.charCodeAt(index);
	return code >= 0xd8_00 && code <= 0xdb_ff;
}

function isLowSurrogate(text: string, index: number): boolean {
	const code = text.charCodeAt(index);
	return code >= 0xdc_00 && code <= 0xdf_ff;
}

/** The whole character (code point) at a code-unit index, '' past the end. */
export function charAt(text: string, index: number): string {
	const code = text.codePointAt(index);
	return code === undefined ? '' : String.fromCodePoint(code);
}

export function isEditEvent(event: KeyEvent): boolean {
	return ['input/insert', 'input/backspace', 'input/left', 'input/right', 'input/home', 'input/end', 'input/clear'].includes(event.command);
}
