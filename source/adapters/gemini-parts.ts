/**
 * Gemini API `PartListUnion` (string | Part | Part[]) → canonical content blocks, and tool results
 * flattened to the string the `.sfs` schema requires.
 */
import type {ContentBlock, ImageBlock} from '../engine/types.js';
import {nativeString} from './native-text.js';

export type GeminiPart = Record<string, unknown>;

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Normalises a PartListUnion to a list of parts (a bare string becomes one text part). */
export function toParts(content: unknown): GeminiPart[] {
	if (content === undefined || content === null) return [];
	if (typeof content === 'string') return content.length > 0 ? [{text: content}] : [];
	if (Array.isArray(content)) return content.flatMap(item => (typeof item === 'string' ? (item.length > 0 ? [{text: item}] : []) : isObject(item) ? [item] : []));
	if (isObject(content)) return [content];
	return [];
}

function mediaBlock(mimeType: unknown, data: unknown, kind: 'base64' | 'url'): ImageBlock | undefined {
	if (typeof mimeType !== 'string' || !mimeType.startsWith('image/') || typeof data !== 'string') return undefined;
	return {type: 'image', source: {type: kind, data, media_type: mimeType}};
}

/**
 * Converts parts to blocks. `functionCall` / `functionResponse` parts are returned separately so the
 * caller can pair them with `toolCalls`; anything unrecognised is kept as a block of its own type.
 */
export function partsToBlocks(parts: GeminiPart[]): {blocks: ContentBlock[]; functionCalls: GeminiPart[]; functionResponses: GeminiPart[]} {
	const blocks: ContentBlock[] = [];
	const functionCalls: GeminiPart[] = [];
	const functionResponses: GeminiPart[] = [];
	for (const part of parts) {
		if (typeof part.text === 'string') {
			if (part.thought === true) {
				blocks.push({type: 'thinking', text: part.text, signature: typeof part.thoughtSignature === 'string' ? part.thoughtSignature : null});
			} else if (part.text.length > 0) {
				blocks.push({type: 'text', text: part.text});
			}
		} else if (isObject(part.inlineData)) {
			const image = mediaBlock(part.inlineData.mimeType, part.inlineData.data, 'base64');
			blocks.push(image ?? {type: 'gemini_inline_data', ...part.inlineData});
		} else if (isObject(part.fileData)) {
			const image = mediaBlock(part.fileData.mimeType, part.fileData.fileUri, 'url');
			blocks.push(image ?? {type: 'gemini_file_data', ...part.fileData});
		} else if (isObject(part.functionCall)) {
			functionCalls.push(part);
		} else if (isObject(part.functionResponse)) {
			functionResponses.push(part);
		} else {
			blocks.push({type: 'gemini_part', part});
		}
	}

	return {blocks, functionCalls, functionResponses};
}

/** Plain text of a PartListUnion (text parts only, thoughts excluded). */
export function partsText(content: unknown): string {
	return toParts(content)
		.filter(part => typeof part.text === 'string' && part.thought !== true)
		.map(part => part.text as string)
		.join('');
}

function responseText(response: unknown): string {
	if (typeof response === 'string') return response;
	if (!isObject(response)) return response === undefined ? '' : JSON.stringify(response);
	if (typeof response.output === 'string') return response.output;
	if (typeof response.error === 'string') return response.error;
	if (isObject(response.error) && typeof response.error.message === 'string') return response.error.message;
	return JSON.stringify(response);
}

/**
 * Flattens a tool result (usually `[{functionResponse: {response: {output}}}]`) to text, plus any
 * images it carried. Binary parts that are not images are named, not inlined.
 */
export function flattenToolResult(result: unknown): {text: string; images: ImageBlock[]} {
	const pieces: string[] = [];
	const images: ImageBlock[] = [];
	for (const part of toParts(result)) {
		if (isObject(part.functionResponse)) {
			pieces.push(responseText(part.functionResponse.response));
			for (const nested of toParts(part.functionResponse.parts)) {
				const image = isObject(nested.inlineData) ? mediaBlock(nested.inlineData.mimeType, nested.inlineData.data, 'base64') : undefined;
				if (image) images.push(image);
			}
		} else if (typeof part.text === 'string') {
			pieces.push(part.text);
		} else if (isObject(part.inlineData)) {
			const image = mediaBlock(part.inlineData.mimeType, part.inlineData.data, 'base64');
			if (image) images.push(image);
			else pieces.push(`[inline data: ${nativeString(part.inlineData.mimeType ?? 'unknown type')}]`);
		} else {
			pieces.push(JSON.stringify(part));
		}
	}

	return {text: pieces.join('\n'), images};
}
