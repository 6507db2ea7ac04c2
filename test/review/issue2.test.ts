/**
 * Independent review of issue 2 (foundation), through the built binary (`npm run build` first).
 * Each test names the requirement it checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {createAjv} from '../support/schema.js';
import {expectOneLineError, parseJson, repoRoot, type Sandbox, sandbox, sfs, specExamples} from '../cli/run-sfs.js';

const COMPLETE = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const MINIMAL = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

const ajv = createAjv();
const schema = (name: string) => ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', `${name}.schema.json`), 'utf8')) as object);
const validators = {manifest: schema('manifest'), message: schema('message'), workspace: schema('workspace'), tools: schema('tools')};

/** Every violation of every session directory under `sessions/` (manifests, messages, workspace, tools, checkpoints). */
function storeViolations(sessionsRoot: string): string[] {
	const problems: string[] = [];
	const check = (kind: keyof typeof validators, value: unknown, where: string) => {
		if (!validators[kind](value)) problems.push(`${where}: ${ajv.errorsText(validators[kind].errors)}`);
	};

	const checkDir = (dir: string) => {
		check('manifest', JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), `${dir}/manifest.json`);
		const lines = fs.readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').split('\n').filter(Boolean);
		for (const [index, line] of lines.entries()) check('message', JSON.parse(line), `${dir} message ${index + 1}`);
		for (const kind of ['workspace', 'tools'] as const) {
			const file = path.join(dir, `${kind}.json`);
			if (fs.existsSync(file)) check(kind, JSON.parse(fs.readFileSync(file, 'utf8')), file);
		}
	};

	for (const id of fs.readdirSync(sessionsRoot)) {
		if (id.startsWith('.')) continue;
		const dir = path.join(sessionsRoot, id);
		checkDir(dir);
		const checkpoints = path.join(dir, 'checkpoints');
		if (fs.existsSync(checkpoints)) for (const name of fs.readdirSync(checkpoints)) if (!name.startsWith('.')) check('manifest', JSON.parse(fs.readFileSync(path.join(checkpoints, name, 'manifest.json'), 'utf8')), `${checkpoints}/${name}`);
	}

	return problems;
}

let box: Sandbox;
beforeEach(() => {
	box = sandbox();
});
afterEach(() => box.cleanup());

async function importExamples(): Promise<void> {
	const run = await sfs(box, ['import', specExamples]);
	expect(run.exitCode, run.stderr).toBe(0);
}

function copyExample(name: string, into: string): string {
	const source = path.join(specExamples, name);
	const manifest = JSON.parse(fs.readFileSync(path.join(source, 'manifest.json'), 'utf8')) as {session_id: string};
	const target = path.join(into, manifest.session_id);
	fs.cpSync(source, target, {recursive: true});
	return target;
}

describe('issue 2: every session sfs writes is schema-valid', () => {
	test('imported, forked, checkpointed and restored sessions all pass the manifest/message/workspace/tools schemas', async () => {
		await importExamples();
		const fork = parseJson<{session_id: string}>(await sfs(box, ['fork', COMPLETE, '--json']));
		expect(fork.session_id).toMatch(/^ses_[0-9a-f]{16}$/);
		expect((await sfs(box, ['checkpoint', COMPLETE, 'before-x'])).exitCode).toBe(0);
		const restore = await sfs(box, ['checkpoint', 'restore', COMPLETE, 'before-x', '--json']);
		expect(restore.exitCode, restore.stderr).toBe(0);
		expect((await sfs(box, ['alias', fork.session_id, 'my-fork'])).exitCode).toBe(0);
		expect((await sfs(box, ['tag', MINIMAL, '+review'])).exitCode).toBe(0);
		const ids = fs.readdirSync(path.join(box.sfsHome, 'sessions')).filter(name => !name.startsWith('.'));
		expect(ids.length).toBe(5); // 3 examples + fork + restored checkpoint
		expect(storeViolations(path.join(box.sfsHome, 'sessions'))).toEqual([]);
	});

	test('captured sessions (all five recorded real CLIs) are schema-valid, manifests included', async () => {
		const home = box.home;
		for (const [tool, into] of [['claude-code', '.claude'], ['codex', '.codex'], ['gemini', '.gemini'], ['copilot', '.copilot']] as const) {
			fs.cpSync(path.join(repoRoot, 'test/fixtures/recorded', tool), path.join(home, into), {recursive: true});
		}
		fs.cpSync(path.join(repoRoot, 'test/fixtures/recorded/cline/sessions'), path.join(home, '.cline', 'data', 'sessions'), {recursive: true});
		const run = await sfs(box, ['capture', '--json']);
		expect(run.exitCode, run.stderr).toBe(0);
		expect(parseJson<{new: number; skipped: unknown[]}>(run)).toMatchObject({new: 5, skipped: []});
		expect(storeViolations(path.join(box.sfsHome, 'sessions'))).toEqual([]);
	});
});

describe('issue 2: directories 0700, files 0600 under the data dir', () => {
	test('sessions, checkpoints, index.db (+ -wal/-shm when present), config.json, tombstones, run/ and cache/ after import, capture, list, delete', async () => {
		await importExamples();
		expect((await sfs(box, ['config', 'set', 'capture.exclude', '/nowhere/**'])).exitCode).toBe(0);
		expect((await sfs(box, ['checkpoint', COMPLETE, 'cp1'])).exitCode).toBe(0);
		expect((await sfs(box, ['delete', MINIMAL, '--yes'])).exitCode).toBe(0);
		fs.cpSync(path.join(repoRoot, 'test/fixtures/recorded/claude-code'), path.join(box.home, '.claude'), {recursive: true});
		expect((await sfs(box, ['capture', '--json'])).exitCode).toBe(0); // run/ and capture state
		expect((await sfs(box, ['list', '--json'])).exitCode).toBe(0); // cache/insight-costs.json
		const wrong: string[] = [];
		let files = 0;
		for (const entry of fs.readdirSync(box.sfsHome, {recursive: true, withFileTypes: true})) {
			const full = path.join(entry.parentPath, entry.name);
			const mode = fs.lstatSync(full).mode & 0o777;
			if (entry.isDirectory() && mode !== 0o700) wrong.push(`${full} ${mode.toString(8)}`);
			if (entry.isFile()) {
				files++;
				if (mode !== 0o600) wrong.push(`${full} ${mode.toString(8)}`);
			}
		}

		expect(fs.statSync(box.sfsHome).mode & 0o777).toBe(0o700);
		const names = fs.readdirSync(box.sfsHome, {recursive: true}).map(String);
		expect(names.some(name => name.endsWith('index.db'))).toBe(true);
		expect(names.some(name => name.endsWith('config.json'))).toBe(true);
		expect(names.some(name => /tombstone/.test(name))).toBe(true);
		expect(files).toBeGreaterThan(10);
		expect(wrong).toEqual([]);
	});
});

describe('issue 2: sfs_version other than 0.1.0', () => {
	test('on import: refused, exit 1, the error names the version', async () => {
		const dir = copyExample('minimal', box.root);
		const manifestFile = path.join(dir, 'manifest.json');
		fs.writeFileSync(manifestFile, JSON.stringify({...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), sfs_version: '0.2.0'}));
		const run = await sfs(box, ['import', dir]);
		expect(run.exitCode).toBe(1);
		expectOneLineError(run, /0\.2\.0/);
		expect(parseJson<unknown[]>(await sfs(box, ['list', '--json']))).toEqual([]);
	});

	test('on read: show fails naming the version; list reports it and still lists the others', async () => {
		await importExamples();
		const manifestFile = path.join(box.sfsHome, 'sessions', MINIMAL, 'manifest.json');
		fs.writeFileSync(manifestFile, JSON.stringify({...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), sfs_version: '9.9.9'}));
		expect((await sfs(box, ['index', 'rebuild'])).exitCode).toBe(0);
		const show = await sfs(box, ['show', MINIMAL]);
		expect(show.exitCode).toBe(1);
		expectOneLineError(show, /9\.9\.9/);
		const list = await sfs(box, ['list', '--json']);
		expect(list.exitCode).toBe(0);
		expect(parseJson<Array<{session_id: string}>>(list).map(row => row.session_id).sort()).toEqual([COMPLETE, 'c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f'].sort());
	});
});

describe('issue 2: sfs show filters drop whole messages, never blocks', () => {
	type Shown = {manifest: unknown; messages: Array<{msg_id: string; role: string; content: Array<{type: string}>}>};
	const stored = () =>
		fs
			.readFileSync(path.join(box.sfsHome, 'sessions', COMPLETE, 'messages.jsonl'), 'utf8')
			.split('\n')
			.filter(Boolean)
			.map(line => JSON.parse(line) as Shown['messages'][number]);

	test('--from/--to are 1-based positions; --no-tools and --thinking keep the surviving messages exactly as stored', async () => {
		await importExamples();
		const all = stored();
		const ranged = parseJson<Shown>(await sfs(box, ['show', COMPLETE, '--json', '--from', '2', '--to', '4']));
		expect(ranged.messages).toEqual(all.slice(1, 4));

		const toolTypes = new Set(['tool_use', 'tool_result']);
		const noTools = parseJson<Shown>(await sfs(box, ['show', COMPLETE, '--json', '--no-tools']));
		expect(noTools.messages.length).toBeLessThan(all.length);
		const storedById = new Map(all.map(message => [message.msg_id, message]));
		for (const message of noTools.messages) expect(message).toEqual(storedById.get(message.msg_id)); // whole, never trimmed
		for (const message of all) {
			const onlyTools = message.content.length > 0 && message.content.every(block => toolTypes.has(block.type));
			if (onlyTools) expect(noTools.messages.map(kept => kept.msg_id)).not.toContain(message.msg_id);
		}

		const withThinking = parseJson<Shown>(await sfs(box, ['show', COMPLETE, '--json', '--thinking']));
		for (const message of withThinking.messages) expect(message).toEqual(storedById.get(message.msg_id));
		expect(withThinking.messages.some(message => message.content.some(block => block.type === 'thinking'))).toBe(true);
	});
});

describe('issue 2: storage prune', () => {
	test('--older-than 90d --dry-run previews and deletes nothing; without --dry-run --yes it deletes', async () => {
		await importExamples();
		const before = fs.readdirSync(path.join(box.sfsHome, 'sessions')).sort();
		const listedBefore = parseJson<unknown[]>(await sfs(box, ['list', '--json'])).length;
		const dry = await sfs(box, ['storage', 'prune', '--older-than', '90d', '--dry-run']);
		expect(dry.exitCode, dry.stderr).toBe(0);
		expect(dry.stdout + dry.stderr).toContain(MINIMAL); // the examples are from March 2026, older than 90 days
		expect(fs.readdirSync(path.join(box.sfsHome, 'sessions')).sort()).toEqual(before);
		expect(parseJson<unknown[]>(await sfs(box, ['list', '--json']))).toHaveLength(listedBefore);

		const real = await sfs(box, ['storage', 'prune', '--older-than', '90d', '--yes']);
		expect(real.exitCode, real.stderr).toBe(0);
		expect(fs.existsSync(path.join(box.sfsHome, 'sessions', MINIMAL))).toBe(false);
	});
});

describe('issue 2: bad sessions in the store', () => {
	test('a broken manifest and a bad line are reported and skipped; the others still list', async () => {
		await importExamples();
		fs.writeFileSync(path.join(box.sfsHome, 'sessions', MINIMAL, 'manifest.json'), '{"sfs_version": "0.1.0", broken');
		fs.appendFileSync(path.join(box.sfsHome, 'sessions', COMPLETE, 'messages.jsonl'), '{not json}\n');
		fs.rmSync(path.join(box.sfsHome, 'index.db'), {force: true});
		const list = await sfs(box, ['list', '--json']);
		expect(list.exitCode).toBe(0);
		expect(parseJson<Array<{session_id: string}>>(list).map(row => row.session_id).sort()).toEqual([COMPLETE, 'c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f'].sort());
		expect(list.stderr).toContain(MINIMAL);
		expect(list.stderr).not.toMatch(/\n\s+at /);
		const show = await sfs(box, ['show', COMPLETE, '--json']);
		expect(show.exitCode).toBe(0);
		expect(parseJson<{messages: unknown[]}>(show).messages.length).toBe(8);
	});
});

describe('issue 2: the spec examples survive import → export sfs → import, schema-valid', () => {
	test('each example exported as <id>.sfs.tar.gz imports into an empty store unchanged', async () => {
		await importExamples();
		const out = path.join(box.root, 'out');
		fs.mkdirSync(out);
		const ids = fs.readdirSync(path.join(box.sfsHome, 'sessions')).filter(name => !name.startsWith('.'));
		for (const id of ids) {
			const run = await sfs(box, ['export', id, '--format', 'sfs', '-o', out]);
			expect(run.exitCode, run.stderr).toBe(0);
		}
		const archives = fs.readdirSync(out).sort();
		expect(archives).toEqual(ids.map(id => `${id}.sfs.tar.gz`).sort());
		const second = sandbox();
		try {
			for (const archive of archives) {
				const run = await sfs(second, ['import', path.join(out, archive)]);
				expect(run.exitCode, run.stderr).toBe(0);
			}
			expect(storeViolations(path.join(second.sfsHome, 'sessions'))).toEqual([]);
			for (const id of ids) {
				expect(fs.readFileSync(path.join(second.sfsHome, 'sessions', id, 'messages.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(box.sfsHome, 'sessions', id, 'messages.jsonl'), 'utf8'));
			}
		} finally {
			second.cleanup();
		}
	});
});
