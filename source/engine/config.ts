/**
 * User configuration (`config.json` in the config dir). Keys are dotted paths (`capture.exclude`).
 * Unknown keys are kept; known keys are checked on `set`.
 */
import fs from 'node:fs';
import {SfsError} from './errors.js';
import {writeJsonAtomic} from './fs-atomic.js';
import {configPath, type Env} from './paths.js';
import {RESUME_TARGETS} from './types.js';

export type Config = {
	capture?: {
		/** Path globs (matched against a session's cwd and native path) kept out of capture. */
		exclude?: string[];
	};
	/** Sources switched off with `sfs watcher disable <tool>`; all are on by default. */
	watchers?: {disabled?: string[]};
	/** Extra roots per tool, e.g. {"cursor": ["/mnt/other/Cursor/User"]}. */
	roots?: Record<string, string[]>;
	llm?: {provider?: 'anthropic' | 'openai-compatible'; base_url?: string; model?: string};
	[key: string]: unknown;
};

/** Keys `sfs config set` accepts, with how to parse the value. */
export const KNOWN_KEYS: Record<string, 'string' | 'string[]' | 'number' | 'boolean'> = {
	'capture.exclude': 'string[]',
	'watchers.disabled': 'string[]',
	'llm.provider': 'string',
	'llm.base_url': 'string',
	'llm.model': 'string',
	/** Where a session of a capture-only source (Cursor, Amp, Cline, Roo Code) resumes when no --in is given. */
	'resume.default_target': 'string',
};

export function loadConfig(env: Env = process.env): Config {
	const file = configPath(env);
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return {};
	}

	try {
		const value = JSON.parse(text) as unknown;
		if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
		return value as Config;
	} catch {
		throw new SfsError('USAGE', `config file ${file} is not valid JSON`, {hint: 'fix it or remove it'});
	}
}

export function saveConfig(config: Config, env: Env = process.env): void {
	writeJsonAtomic(configPath(env), config, {durable: true});
}

export function getKey(config: Config, key: string): unknown {
	let node: unknown = config;
	for (const part of key.split('.')) {
		if (!node || typeof node !== 'object') return undefined;
		node = (node as Record<string, unknown>)[part];
	}

	return node;
}

export function setKey(config: Config, key: string, raw: string): Config {
	const kind = KNOWN_KEYS[key];
	if (!kind) throw new SfsError('USAGE', `unknown config key: ${key}`, {hint: `known keys: ${Object.keys(KNOWN_KEYS).join(', ')}`});
	const value = parseValue(kind, raw, key);
	if (key === 'resume.default_target' && !(RESUME_TARGETS as readonly unknown[]).includes(value)) {
		throw new SfsError('USAGE', `resume.default_target must be one of ${RESUME_TARGETS.join(', ')}`, {hint: `got ${JSON.stringify(raw)}`});
	}

	const next = structuredClone(config) as Record<string, unknown>;
	const parts = key.split('.');
	let node = next;
	for (const part of parts.slice(0, -1)) {
		if (!node[part] || typeof node[part] !== 'object') node[part] = {};
		node = node[part] as Record<string, unknown>;
	}

	node[parts.at(-1)!] = value;
	return next as Config;
}

function parseValue(kind: string, raw: string, key: string): unknown {
	switch (kind) {
		case 'string[]': {
			if (raw.trim().startsWith('[')) {
				try {
					const parsed = JSON.parse(raw) as unknown;
					if (Array.isArray(parsed) && parsed.every(item => typeof item === 'string')) return parsed;
				} catch {}

				throw new SfsError('USAGE', `${key} takes a JSON array of strings or a comma-separated list`);
			}

			return raw
				.split(',')
				.map(item => item.trim())
				.filter(Boolean);
		}

		case 'number': {
			const number = Number(raw);
			if (!Number.isFinite(number)) throw new SfsError('USAGE', `${key} takes a number`);
			return number;
		}

		case 'boolean': {
			if (raw !== 'true' && raw !== 'false') throw new SfsError('USAGE', `${key} takes true or false`);
			return raw === 'true';
		}

		default: {
			return raw;
		}
	}
}
