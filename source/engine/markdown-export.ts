/**
 * A session as Markdown, for reading and sharing: a header with the facts, then each message under a
 * heading with its role and time. Tool calls and results become fenced blocks; thinking is included
 * only when asked for; blocks sfs does not know are shown as JSON so nothing silently disappears.
 */
import type {ContentBlock, Manifest, Message} from './types.js';

export type MarkdownOptions = {thinking?: boolean; tools?: boolean};

export function sessionToMarkdown(manifest: Manifest, messages: Message[], options: MarkdownOptions = {}): string {
	const showTools = options.tools !== false;
	const lines: string[] = [];
	lines.push(`# ${escapeHeading(manifest.title ?? manifest.session_id)}`, '');
	const facts: Array<[string, string | null | undefined]> = [
		['Session', manifest.session_id],
		['Alias', typeof manifest.metadata?.alias === 'string' ? manifest.metadata.alias : undefined],
		['Tool', manifest.source.tool + (manifest.source.tool_version ? ` ${manifest.source.tool_version}` : '')],
		['Native id', manifest.source.original_session_id],
		['Model', manifest.model?.model_id],
		['Directory', typeof manifest.metadata?.cwd === 'string' ? manifest.metadata.cwd : undefined],
		['Created', manifest.created_at],
		['Updated', manifest.updated_at],
		['Messages', String(manifest.stats?.message_count ?? messages.length)],
		['Tags', manifest.tags && manifest.tags.length > 0 ? manifest.tags.join(', ') : undefined],
		['Forked from', manifest.parent_session_id],
	];
	for (const [label, value] of facts) if (value) lines.push(`- **${label}:** ${inlineCode(value)}`);
	lines.push('');

	for (const message of messages) {
		const body = messageBody(message, {thinking: options.thinking === true, tools: showTools});
		if (body.length === 0) continue;
		const who = message.role + (message.is_meta ? ' (meta)' : '') + (message.is_sidechain ? ' (sidechain)' : '');
		lines.push(`## ${who} · ${message.timestamp}`, '', ...body, '');
	}

	return `${lines.join('\n').trimEnd()}\n`;
}

function messageBody(message: Message, options: {thinking: boolean; tools: boolean}): string[] {
	const out: string[] = [];
	for (const block of message.content ?? []) {
		const rendered = blockMarkdown(block, options);
		if (rendered.length > 0) out.push(...rendered, '');
	}

	while (out.at(-1) === '') out.pop();
	return out;
}

function blockMarkdown(block: ContentBlock, options: {thinking: boolean; tools: boolean}): string[] {
	const b = block as Record<string, unknown>;
	switch (block.type) {
		case 'text': {
			return [String(b.text ?? '')];
		}

		case 'summary': {
			return ['> **Summary**', ...quote(String(b.text ?? ''))];
		}

		case 'thinking': {
			if (!options.thinking) return [];
			return ['> **Thinking**', ...quote(b.redacted ? '(redacted)' : String(b.text ?? ''))];
		}

		case 'tool_use': {
			if (!options.tools) return [];
			return [`**Tool call:** \`${String(b.name ?? '?')}\``, ...fence(JSON.stringify(b.input ?? {}, null, 2), 'json')];
		}

		case 'tool_result': {
			if (!options.tools) return [];
			const status = b.is_error ? ' (error)' : '';
			return [`**Tool result${status}:**`, ...fence(String(b.content ?? ''), '')];
		}

		case 'image': {
			const source = (b.source ?? {}) as Record<string, unknown>;
			return [source.type === 'base64' ? `*[image${source.media_type ? `: ${String(source.media_type)}` : ''}]*` : `*[image: ${String(source.data ?? '')}]*`];
		}

		default: {
			if (!options.tools) return [];
			return [`*[${block.type}]*`, ...fence(JSON.stringify(block, null, 2), 'json')];
		}
	}
}

function quote(text: string): string[] {
	return text.split('\n').map(line => `> ${line}`);
}

/** A fence longer than any backtick run inside, so content can never close it early. */
function fence(text: string, language: string): string[] {
	const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(match => match[0].length));
	const marks = '`'.repeat(longest + 1);
	return [`${marks}${language}`, text, marks];
}

function inlineCode(value: string): string {
	return /[`*_[\]<>]/.test(value) ? `\`\`${value.replace(/`/g, "'")}\`\`` : value;
}

function escapeHeading(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}
