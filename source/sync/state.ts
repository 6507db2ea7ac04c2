/** The last server version (ETag) this machine pushed or pulled, per server and session: the If-Match of the next push. */
import fs from 'node:fs';
import path from 'node:path';
import {writeJsonAtomic} from '../engine/fs-atomic.js';
import {dataDir, type Env} from '../engine/paths.js';

type State = Record<string, Record<string, string>>;

function statePath(env: Env): string {
	return path.join(dataDir(env), 'sync', 'state.json');
}

function load(env: Env): State {
	try {
		const value = JSON.parse(fs.readFileSync(statePath(env), 'utf8')) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as State) : {};
	} catch {
		return {};
	}
}

export function knownEtag(url: string, sessionId: string, env: Env = process.env): string | undefined {
	return load(env)[url]?.[sessionId];
}

export function rememberEtag(url: string, sessionId: string, etag: string, env: Env = process.env): void {
	const state = load(env);
	state[url] = {...state[url], [sessionId]: etag};
	writeJsonAtomic(statePath(env), state);
}
