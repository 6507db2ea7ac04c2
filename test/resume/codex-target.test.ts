/**
 * Codex CLI as a resume target, proven with the real CLI: a session from every source tool is written with
 * codexWriter into a fresh Codex home, `codex exec resume <id> "…"` runs in the written cwd against the loopback
 * endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import {describe, expect, it} from 'vitest';
import {codexWriter} from '../../source/adapters/codex-writer.js';
import {expectationsFromManifest, expectationsFromSession, loadRecordedSession, RESUME_PROMPT} from '../support/resume-proof.js';
import {defineTargetProof, expectFileToolOutputs, fileToolsSession} from '../support/target-proof.js';

const {proveCell} = defineTargetProof({
	target: 'codex',
	writer: codexWriter,
	cliLabel: 'codex',
	shellTool: 'exec_command',
	commandKey: 'cmd',
	protocol: 'openai-responses',
	// No reasoning item without encrypted content reaches the model: the recordings' reasoning goes as text.
	thinking: 'as_text',
	checkRecordedCommand: true,
	kitchenSinkSource: 'claude-code',
});

describe('codex target: how Codex finds the written session', () => {
	it('is the session `codex exec resume --last` picks in its cwd (listed: session_meta and user_message in its head, source cli)', async () => {
		const loaded = await loadRecordedSession('claude-code');
		expect(loaded).toBeDefined();
		const run = await proveCell('claude-code', loaded!.session, expectationsFromManifest(loaded!.manifest), {argv: () => ['codex', 'exec', 'resume', '--last', RESUME_PROMPT]});
		expect(run.stderr).toContain(`session id: ${run.write.nativeId}`);
	}, 120_000);
});

describe('codex target: file tools', () => {
	it('replays foreign reads, writes and edits as the real codex\'s own tools', async () => {
		const session = fileToolsSession();
		const run = await proveCell('claude-code', session, expectationsFromSession(session));
		expect(run.write.report.tool_calls_mapped).toBe(4);
		expect(run.entries!.filter(entry => entry.kind === 'tool_call').map(entry => [entry.toolName, entry.text])).toEqual([
			['exec_command', JSON.stringify({cmd: 'cat notes.txt'})],
			['apply_patch', '*** Begin Patch\n*** Add File: todo.txt\n+ship it\n*** End Patch\n'],
			['apply_patch', '*** Begin Patch\n*** Update File: notes.txt\n@@\n-beta\n+gamma\n*** End Patch\n'],
			['exec_command', JSON.stringify({cmd: 'git status --short'})],
		]);
		// apply_patch is a freeform tool of the real CLI: its calls go back as custom tool calls.
		expect((run.request!.body as {input: Array<{type: string}>}).input.filter(item => item.type === 'custom_tool_call')).toHaveLength(2);
		expect((run.request!.body as {tools: Array<{type: string; name?: string}>}).tools).toContainEqual(expect.objectContaining({type: 'custom', name: 'apply_patch'}));
		expectFileToolOutputs(run);
	}, 120_000);
});
