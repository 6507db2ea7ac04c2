/** Builders for index tests: manifests and messages with only what a test cares about. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {ContentBlock, Manifest, Message} from '../../source/engine/types.js';

export function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-index-test-'));
}

export function manifest(sessionId: string, overrides: Partial<Manifest> & {metadata?: Manifest['metadata']} = {}): Manifest {
	return {
		sfs_version: '0.1.0',
		session_id: sessionId,
		title: `title of ${sessionId}`,
		created_at: '2026-01-01T00:00:00.000Z',
		updated_at: '2026-01-02T00:00:00.000Z',
		source: {tool: 'claude-code', original_session_id: `native-${sessionId}`},
		stats: {message_count: 0, total_input_tokens: 0, total_output_tokens: 0},
		...overrides,
	};
}

let counter = 0;
export function message(content: ContentBlock[] | string, overrides: Partial<Message> = {}): Message {
	counter++;
	return {
		msg_id: `msg_${counter}`,
		role: 'user',
		timestamp: '2026-01-01T10:00:00.000Z',
		content: typeof content === 'string' ? [{type: 'text', text: content}] : content,
		...overrides,
	};
}
