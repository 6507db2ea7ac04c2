/**
 * Claude Code as a resume target, proven with the real CLI: a session from every source tool is written with
 * claudeCodeWriter into a fresh Claude home, `claude -p --resume <id> "…"` runs in the written cwd against the
 * loopback endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import {claudeCodeWriter} from '../../source/adapters/claude-code-writer.js';
import {defineTargetProof} from '../support/target-proof.js';

defineTargetProof({
	target: 'claude-code',
	writer: claudeCodeWriter,
	cliLabel: 'claude',
	shellTool: 'Bash',
	commandKey: 'command',
	// Same vendor: the signed thinking block goes back as thinking.
	thinking: 'own-kept',
	checkRecordedCommand: false,
	kitchenSinkSource: 'codex',
	resumeByName: {titleRecord: 'custom-title record', commandContains: 'Notes check from sfs'},
});
