/**
 * A stored message as plain text for an agent: text as written, tool calls as one line with their
 * input (cut), tool output only when asked for (cut per block), thinking only when asked for.
 * Native records and image data never go out.
 */
import type {ContentBlock, Message} from '../engine/types.js';
import {clip} from './bounded.js';

export type RenderOptions = {
	includeToolOutput: boolean;
	includeThinking: boolean;
	/** Per tool_result block, when tool output is included. */
	toolOutputChars: number;
	/** Per tool_use input (JSON). */
	toolInputChars: number;
};

export const DEFAULT_RENDER: RenderOptions = {includeToolOutput: false, includeThinking: false, toolOutputChars: 4000, toolInputChars: 1500};

export function renderMessage(message: Message, options: RenderOptions = DEFAULT_RENDER): string {
	const parts: string[] = [];
	for (const block of Array.isArray(message.content) ? message.content : []) {
		const text = renderBlock(block, options);
		if (text) parts.push(text);
	}

	return parts.join('\n');
}

function renderBlock(block: ContentBlock, options: RenderOptions): string {
	if (!block || typeof block !== 'object') return '';
	switch (block.type) {
		case 'text':
		case 'summary': {
			return typeof block.text === 'string' ? block.text : '';
		}

		case 'thinking': {
			if (!options.includeThinking) return '';
			const text = typeof block.text === 'string' ? block.text : '';
			return text ? `[thinking] ${text}` : '';
		}

		case 'tool_use': {
			const name = typeof block.name === 'string' ? block.name : 'tool';
			const input = block.input === undefined ? '' : clip(JSON.stringify(block.input), options.toolInputChars);
			return `[tool_use ${name}] ${input}`.trimEnd();
		}

		case 'tool_result': {
			const content = typeof block.content === 'string' ? block.content : '';
			const status = block.is_error === true ? ' error' : typeof block.exit_code === 'number' ? ` exit ${block.exit_code}` : '';
			if (!options.includeToolOutput) return `[tool_result${status}: ${content.length} chars, not included]`;
			return `[tool_result${status}] ${clip(content, options.toolOutputChars)}`;
		}

		case 'image': {
			return '[image]';
		}

		case 'native_record': {
			return '';
		}

		default: {
			return `[${String(block.type)}]`;
		}
	}
}
