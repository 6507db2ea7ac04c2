/** Cursor + scroll window math for every list (pure, unit-tested without Ink). */

export type ListWindow = {
	/** Selected index, 0..count-1 (0 when empty). */
	cursor: number;
	/** First visible index. */
	offset: number;
};

/** Clamp the cursor into [0, count) and move the window the least so the cursor stays inside [offset, offset + pageSize). */
export function clampWindow(window: ListWindow, count: number, pageSize: number): ListWindow {
	const size = Math.max(1, pageSize);
	const cursor = count === 0 ? 0 : Math.min(Math.max(0, window.cursor), count - 1);
	let offset = Math.min(Math.max(0, window.offset), Math.max(0, count - size));
	if (cursor < offset) {
		offset = cursor;
	} else if (cursor >= offset + size) {
		offset = cursor - size + 1;
	}

	return {cursor, offset: Math.max(0, offset)};
}

export type Movement = 'cursor/down' | 'cursor/up' | 'page/down' | 'page/up' | 'cursor/top' | 'cursor/bottom';

export function moveWindow(window: ListWindow, movement: Movement, count: number, pageSize: number): ListWindow {
	const page = Math.max(1, pageSize);
	const next: Record<Movement, number> = {
		'cursor/down': window.cursor + 1,
		'cursor/up': window.cursor - 1,
		'page/down': window.cursor + page,
		'page/up': window.cursor - page,
		'cursor/top': 0,
		'cursor/bottom': count - 1,
	};
	let offset = window.offset;
	if (movement === 'page/down') {
		offset += page;
	} else if (movement === 'page/up') {
		offset -= page;
	}

	return clampWindow({cursor: next[movement], offset}, count, page);
}

export function isMovement(command: string): command is Movement {
	return ['cursor/down', 'cursor/up', 'page/down', 'page/up', 'cursor/top', 'cursor/bottom'].includes(command);
}
