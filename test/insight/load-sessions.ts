/**
 * Sessions the real CLIs recorded, captured with sfs's own adapters for the insight tests:
 * test/fixtures/recorded/<tool>/ and the failing-command recordings of Claude Code and Codex.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {adapterFor} from '../../source/adapters/registry.js';
import type {Session, ToolId} from '../../source/engine/types.js';
import {adapterContext, loadRecordedSession, sessionFromRead} from '../support/resume-proof.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export async function recordedSession(tool: ToolId): Promise<Session> {
	const loaded = await loadRecordedSession(tool);
	if (!loaded) throw new Error(`test/fixtures/recorded/${tool} did not capture`);
	return loaded.session;
}

/** A `real-<version>-<name>` recording under test/fixtures/<tool>/, read through the tool's adapter. */
export async function realFixtureSession(tool: 'claude-code' | 'codex', dir: string): Promise<Session> {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), `sfs-insight-${tool}-`));
	try {
		const source = path.join(fixtures, tool, dir);
		const root = tool === 'claude-code' ? path.join(home, '.claude') : path.join(home, '.codex');
		for (const entry of fs.readdirSync(source)) if (entry !== 'manifest.json') fs.cpSync(path.join(source, entry), path.join(root, entry), {recursive: true});
		const ctx = adapterContext(home, tool === 'codex' ? {CODEX_HOME: root} : {CLAUDE_CONFIG_DIR: root});
		const adapter = adapterFor(tool);
		const [native] = await adapter.discover(ctx);
		if (!native) throw new Error(`${dir}: no session discovered`);
		return sessionFromRead(tool, native.nativeId, await adapter.read({session: native}, ctx));
	} finally {
		fs.rmSync(home, {recursive: true, force: true});
	}
}
