import {Text} from 'ink';
import {charAt, type TextInputState} from './text-input.js';

/** A one-line input: the value with an inverse block cursor when focused, a muted placeholder when empty. */
export function TextField({state, focused, placeholder = ''}: {state: TextInputState; focused: boolean; placeholder?: string}) {
	if (!focused) {
		return state.value ? <Text>{state.value}</Text> : <Text dimColor>{placeholder}</Text>;
	}

	const before = state.value.slice(0, state.cursor);
	const char = charAt(state.value, state.cursor);
	const at = char || ' ';
	const after = state.value.slice(state.cursor + char.length);
	return (
		<Text>
			{before}
			<Text inverse>{at}</Text>
			{after}
			{state.value ? '' : <Text dimColor>{placeholder}</Text>}
		</Text>
	);
}
