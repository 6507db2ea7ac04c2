/**
 * Resume: a 5,000-message session (generated as a Claude Code session, captured into its own sfs store)
 * converted and written into each target by its resume writer (`writer.write`, what `sfs resume` runs
 * after its preflight), into the targets' stores under a temp HOME. Targets without a writer print n/a.
 */
import fs from 'node:fs';
import path from 'node:path';
import {loadWriter} from '../../source/adapters/writers.js';
import {plainAdapterContext, runCapture} from '../../source/engine/capture-run.js';
import {openEngine} from '../../source/engine/open-engine.js';
import type {ResumeTarget} from '../../source/engine/types.js';
import {buildConversation} from './conversation.js';
import {benchEnv} from './generate.js';
import {NATIVE_WRITERS} from './native-writers.js';
import {ms, naRow, row, type Row} from './report.js';
import {buildVocabulary, fixtureWords, seeded, TextSource} from './text.js';

const TARGETS: ResumeTarget[] = ['claude-code', 'codex', 'gemini', 'copilot'];
const MESSAGES = 5000;

type Input = {repo: string; root: string; log: (line: string) => void};

export async function measureResume({repo, root, log}: Input) {
	const home = path.join(root, 'resume-home');
	const env = benchEnv(home, path.join(root, 'resume-sfs'));
	const text = new TextSource(seeded(99), buildVocabulary(fixtureWords(path.join(repo, 'test', 'fixtures'))));
	const conversation = buildConversation(text, 'resume', MESSAGES, Date.UTC(2026, 2, 1));
	NATIVE_WRITERS['claude-code'](home, conversation);
	const engine = openEngine({env});
	const rows: Row[] = [];
	const results: Record<string, unknown> = {};
	try {
		const report = await runCapture(engine, {tools: ['claude-code']});
		const sessionId = report.changed_sessions[0];
		if (!sessionId) throw new Error('the resume session was not captured');
		const session = engine.store.readSession(sessionId);
		const context = plainAdapterContext(env);
		for (const target of TARGETS) {
			const what = `resume → ${target}`;
			let writer;
			try {
				writer = await loadWriter(target);
			} catch {
				rows.push(naRow(what, '< 500 ms', 'no writer'));
				continue;
			}

			const cwd = path.join(home, 'work');
			fs.mkdirSync(cwd, {recursive: true});
			const started = performance.now();
			const written = await writer.write(session, {cwd, now: new Date(), fromSessionId: sessionId}, context);
			const took = performance.now() - started;
			const bytes = written.files.reduce((sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0), 0);
			log(`resume → ${target}: ${ms(took)}, ${session.messages.length} messages → ${written.files.length} file(s), ${(bytes / 1e6).toFixed(1)} MB`);
			results[target] = {ms: took, messages: session.messages.length, files: written.files.length, bytes};
			rows.push(row(what, `${ms(took)} for ${session.messages.length} messages (${(bytes / 1e6).toFixed(1)} MB written)`, '< 500 ms', took < 500 ? 'met' : 'missed'));
		}
	} finally {
		engine.close();
	}

	return {rows, results};
}
