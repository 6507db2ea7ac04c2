/**
 * Copilot CLI as a resume target, proven with the real CLI: a session from every source tool is written with
 * copilotWriter into a fresh Copilot home, `copilot --resume=<id> -p "…"` runs in the written cwd against the
 * loopback endpoint, and the request the endpoint receives must carry the earlier conversation in order.
 */
import {copilotWriter} from '../../source/adapters/copilot-writer.js';
import {defineTargetProof} from '../support/target-proof.js';

defineTargetProof({
	target: 'copilot',
	writer: copilotWriter,
	cliLabel: 'copilot',
	shellTool: 'bash',
	commandKey: 'command',
	// Copilot's own stored reasoning (with its provider-bound reasoningBlocks) goes back as reasoning.
	thinking: 'own-kept',
	checkRecordedCommand: false,
	kitchenSinkSource: 'codex',
	resumeByName: {titleRecord: 'workspace.yaml name', commandContains: '--resume=Notes check from sfs'},
});
