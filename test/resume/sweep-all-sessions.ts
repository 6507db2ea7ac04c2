/**
 * Slow sweep (not part of `vitest run`): every session of every fixture set and recording, written with both
 * writers and resumed with the real Claude Code and Copilot CLIs; prints one line per cell and exits 1 on any failure.
 * Sessions with no conversation at all (sub-agent-only transcripts) are refused by the writers and listed as such.
 *
 *   npx tsx test/resume/sweep-all-sessions.ts [label filter]
 */
import {claudeCodeWriter} from '../../source/adapters/claude-code-writer.js';
import {copilotWriter} from '../../source/adapters/copilot-writer.js';
import {SfsError} from '../../source/engine/errors.js';
import {ensureClis} from '../support/real-clis.js';
import {expectationsFromSession, loadAllSessions, missingInOrder, removeRun, RESUME_REPLY, resumeWithRealCli, startModelEndpoint} from '../support/resume-proof.js';

const filter = process.argv[2] ?? '';
await ensureClis(['claude-code', 'copilot']);
const endpoint = await startModelEndpoint();
let failures = 0;
for (const {label, session} of (await loadAllSessions()).filter(entry => entry.label.includes(filter))) {
	for (const [target, writer] of [['claude-code', claudeCodeWriter], ['copilot', copilotWriter]] as const) {
		try {
			// eslint-disable-next-line no-await-in-loop
			const run = await resumeWithRealCli(target, writer, session, endpoint);
			const missing = run.entries ? missingInOrder(run.entries, expectationsFromSession(session)) : ['no request carried the new prompt'];
			const ok = run.exitCode === 0 && run.stdout.includes(RESUME_REPLY) && missing.length === 0;
			if (ok) removeRun(run);
			else failures++;
			console.log(`${ok ? 'pass' : 'FAIL'}  ${target.padEnd(11)} ${label}${ok ? '' : `  exit=${run.exitCode} missing=${JSON.stringify(missing)}`}`);
		} catch (error) {
			if (!(error instanceof SfsError && error.code === 'INVALID_SESSION')) throw error;
			console.log(`none  ${target.padEnd(11)} ${label}  (${error.message})`);
		}
	}
}

await endpoint.close();
process.exitCode = failures > 0 ? 1 : 0;
