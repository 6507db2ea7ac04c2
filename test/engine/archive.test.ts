import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {Header} from 'tar';
import {afterEach, beforeAll, describe, expect, test} from 'vitest';
import {entryProblem, exportBackup, exportSessionArchive, importSessions} from '../../source/engine/archive.js';
import {SfsError} from '../../source/engine/errors.js';
import {firstViolation, prepareValidation} from '../../source/engine/format.js';
import {Store} from '../../source/engine/store.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'sfs-spec');
const EXAMPLES = ['complete', 'minimal', 'subagent'];
const temps: string[] = [];

function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-archive-'));
	temps.push(dir);
	return dir;
}

function freshStore(): {store: Store; root: string} {
	const root = tempDir();
	const store = new Store({SFS_HOME: path.join(root, 'home')});
	store.init();
	return {store, root};
}

type RawEntry = {path: string; type?: string; body?: string; linkpath?: string};

/** A .tar.gz written block by block, so hostile entries are exactly what the test says. */
function rawTarGz(file: string, entries: RawEntry[]): void {
	const blocks: Buffer[] = [];
	for (const entry of entries) {
		const body = Buffer.from(entry.body ?? '');
		const type = entry.type ?? 'File';
		const header = new Header({
			path: entry.path,
			type: type as never,
			mode: type === 'Directory' ? 0o755 : 0o644,
			size: type === 'File' ? body.length : 0,
			mtime: new Date(0),
			uid: 0,
			gid: 0,
			linkpath: entry.linkpath,
		});
		header.encode();
		blocks.push(header.block!);
		if (type === 'File' && body.length > 0) {
			blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
		}
	}

	blocks.push(Buffer.alloc(1024));
	fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(blocks)));
}

function exampleEntries(name: string, prefix: string): RawEntry[] {
	const dir = path.join(fixtures, name);
	return fs.readdirSync(dir).map(file => ({path: `${prefix}${file}`, body: fs.readFileSync(path.join(dir, file), 'utf8')}));
}

async function refusal(promise: Promise<unknown>): Promise<SfsError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof SfsError) return error;
		throw error;
	}

	throw new Error('expected the import to be refused');
}

function readDirTree(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, {recursive: true}).map(String).sort();
}

beforeAll(async () => {
	await prepareValidation();
});

afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('hostile archives are refused and nothing is written', () => {
	const cases: Array<[string, (root: string) => RawEntry[], string]> = [
		['an absolute path', root => [...exampleEntries('minimal', 's/'), {path: path.join(root, 'outside', 'abs.txt'), body: 'pwned'}], 'absolute path'],
		['a ../ path', () => [...exampleEntries('minimal', 's/'), {path: 's/../../../escaped.txt', body: 'pwned'}], 'climbs out'],
		['a symlink', root => [...exampleEntries('minimal', 's/'), {path: 's/link', type: 'SymbolicLink', linkpath: path.join(root, 'outside')}], 'SymbolicLink'],
		['a hardlink', () => [...exampleEntries('minimal', 's/'), {path: 's/hard', type: 'Link', linkpath: '/etc/passwd'}], 'Link'],
		['a character device', () => [...exampleEntries('minimal', 's/'), {path: 's/dev', type: 'CharacterDevice'}], 'CharacterDevice'],
		['a FIFO', () => [...exampleEntries('minimal', 's/'), {path: 's/fifo', type: 'FIFO'}], 'FIFO'],
	];

	test.each(cases)('%s', async (_name, build, expected) => {
		const {store, root} = freshStore();
		fs.mkdirSync(path.join(root, 'outside'));
		const archive = path.join(root, 'hostile.tar.gz');
		rawTarGz(archive, build(root));
		const error = await refusal(importSessions(store, archive));
		expect(error.code).toBe('HOSTILE_ARCHIVE');
		expect(error.message).toContain(expected);
		expect(store.listIds()).toEqual([]);
		expect(readDirTree(path.join(root, 'outside'))).toEqual([]);
		expect(fs.existsSync(path.join(root, 'escaped.txt'))).toBe(false);
		expect(fs.existsSync(path.join(root, 'home', 'escaped.txt'))).toBe(false);
		// No staging leftovers either.
		expect(fs.readdirSync(store.sessionsRoot)).toEqual([]);
	});

	test('entryProblem accepts plain relative files and folders only', () => {
		expect(entryProblem('a/manifest.json', 'File')).toBeUndefined();
		expect(entryProblem('a/', 'Directory')).toBeUndefined();
		expect(entryProblem('a/..hidden', 'File')).toBeUndefined();
		expect(entryProblem('C:/x', 'File')).toContain('absolute');
		expect(entryProblem('a/../../b', 'File')).toContain('..');
		expect(entryProblem('a/b', 'BlockDevice')).toContain('BlockDevice');
	});

	test('a directory source holding a symlink is refused', async () => {
		const {store, root} = freshStore();
		const source = path.join(root, 'session');
		fs.cpSync(path.join(fixtures, 'minimal'), source, {recursive: true});
		fs.symlinkSync('/etc/passwd', path.join(source, 'passwd'));
		const error = await refusal(importSessions(store, source));
		expect(error.code).toBe('HOSTILE_ARCHIVE');
		expect(error.message).toContain('symlink');
		expect(store.listIds()).toEqual([]);
	});

	test('something that is not a tar archive is refused cleanly', async () => {
		const {store, root} = freshStore();
		const file = path.join(root, 'junk.tar.gz');
		fs.writeFileSync(file, 'this is not an archive at all');
		const error = await refusal(importSessions(store, file));
		expect(['HOSTILE_ARCHIVE', 'INVALID_SESSION']).toContain(error.code);
		expect(store.listIds()).toEqual([]);
	});
});

describe('sessions failing the format are refused with the first violation named', () => {
	test('an unsupported sfs_version names the version', async () => {
		const {store, root} = freshStore();
		const source = path.join(root, 'session');
		fs.cpSync(path.join(fixtures, 'minimal'), source, {recursive: true});
		const manifest = JSON.parse(fs.readFileSync(path.join(source, 'manifest.json'), 'utf8')) as Record<string, unknown>;
		fs.writeFileSync(path.join(source, 'manifest.json'), JSON.stringify({...manifest, sfs_version: '0.2.0'}));
		const error = await refusal(importSessions(store, source));
		expect(error.code).toBe('UNSUPPORTED_VERSION');
		expect(error.message).toContain('0.2.0');
		expect(store.listIds()).toEqual([]);
	});

	test('a manifest without source is refused, naming the field', async () => {
		const {store, root} = freshStore();
		const archive = path.join(root, 'bad.tar.gz');
		const entries = exampleEntries('minimal', 'bad/').map(entry => {
			if (!entry.path.endsWith('manifest.json')) return entry;
			const {source: _source, ...rest} = JSON.parse(entry.body!) as Record<string, unknown>;
			return {...entry, body: JSON.stringify(rest)};
		});
		rawTarGz(archive, entries);
		const error = await refusal(importSessions(store, archive));
		expect(error.code).toBe('INVALID_SESSION');
		expect(error.message).toMatch(/manifest.*source/);
	});

	test('one bad message refuses the whole import, naming the message', async () => {
		const {store, root} = freshStore();
		const archive = path.join(root, 'bad.tar.gz');
		const good = exampleEntries('complete', 'good/');
		const bad = exampleEntries('minimal', 'bad/').map(entry =>
			entry.path.endsWith('messages.jsonl') ? {...entry, body: `${entry.body!.trimEnd()}\n{"msg_id":"m9","content":[{"type":"text","text":"x"}],"timestamp":"2026-03-20T10:00:09.000Z"}\n`} : entry,
		);
		rawTarGz(archive, [...good, ...bad]);
		const error = await refusal(importSessions(store, archive));
		expect(error.code).toBe('INVALID_SESSION');
		expect(error.message).toContain('messages.jsonl message 4');
		expect(error.message).toContain('role');
		expect(store.listIds()).toEqual([]);
	});

	test('a line that is not JSON refuses the import', async () => {
		const {store, root} = freshStore();
		const source = path.join(root, 'session');
		fs.cpSync(path.join(fixtures, 'minimal'), source, {recursive: true});
		fs.appendFileSync(path.join(source, 'messages.jsonl'), '{"msg_id": oops\n');
		const error = await refusal(importSessions(store, source));
		expect(error.message).toContain('line 4 is not valid JSON');
	});

	test('a session id that could escape the store is refused', async () => {
		const {store, root} = freshStore();
		const source = path.join(root, 'session');
		fs.cpSync(path.join(fixtures, 'minimal'), source, {recursive: true});
		const manifest = JSON.parse(fs.readFileSync(path.join(source, 'manifest.json'), 'utf8')) as Record<string, unknown>;
		fs.writeFileSync(path.join(source, 'manifest.json'), JSON.stringify({...manifest, session_id: '../../evil'}));
		const error = await refusal(importSessions(store, source));
		expect(error.code).toBe('INVALID_SESSION');
		expect(fs.existsSync(path.join(root, 'evil'))).toBe(false);
	});
});

describe('the spec examples survive import and export', () => {
	test('a folder of .sfs directories imports every session, ids kept', async () => {
		const {store} = freshStore();
		const seen: string[] = [];
		const result = await importSessions(store, fixtures, id => seen.push(id));
		expect(result.kind).toBe('directory');
		expect(result.imported.sort()).toEqual(store.listIds());
		expect(seen.sort()).toEqual(store.listIds());
		const ids = EXAMPLES.map(name => (JSON.parse(fs.readFileSync(path.join(fixtures, name, 'manifest.json'), 'utf8')) as {session_id: string}).session_id);
		expect(store.listIds()).toEqual([...ids].sort());
	});

	test.each(EXAMPLES)('%s: exported as .sfs.tar.gz and imported elsewhere, unchanged and schema-valid', async name => {
		const first = freshStore();
		const [id] = (await importSessions(first.store, path.join(fixtures, name))).imported;
		const out = tempDir();
		const exported = await exportSessionArchive(first.store, id!, out);
		expect(path.basename(exported.path)).toBe(`${id}.sfs.tar.gz`);

		const second = freshStore();
		const result = await importSessions(second.store, exported.path);
		expect(result).toMatchObject({imported: [id], kind: 'archive'});
		const original = {
			manifest: JSON.parse(fs.readFileSync(path.join(fixtures, name, 'manifest.json'), 'utf8')) as unknown,
			messages: fs.readFileSync(path.join(fixtures, name, 'messages.jsonl'), 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as unknown),
		};
		const copy = second.store.readSession(id!);
		expect(copy.manifest).toEqual(original.manifest);
		expect(copy.messages).toEqual(original.messages);
		expect(firstViolation('manifest', copy.manifest)).toBeUndefined();
		for (const message of copy.messages) expect(firstViolation('message', message)).toBeUndefined();
		for (const optional of ['workspace.json', 'tools.json']) {
			const source = path.join(fixtures, name, optional);
			if (fs.existsSync(source)) {
				expect(JSON.parse(fs.readFileSync(path.join(second.store.dir(id!), optional), 'utf8'))).toEqual(JSON.parse(fs.readFileSync(source, 'utf8')));
			}
		}
	});

	test('an archive with the session files at its root (no top folder) imports', async () => {
		const {store, root} = freshStore();
		const archive = path.join(root, 'flat.tar.gz');
		rawTarGz(archive, exampleEntries('minimal', ''));
		const result = await importSessions(store, archive);
		expect(result.imported).toEqual(['a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d']);
	});

	test('a second import of the same session skips it and keeps the stored one', async () => {
		const {store} = freshStore();
		await importSessions(store, path.join(fixtures, 'minimal'));
		const again = await importSessions(store, path.join(fixtures, 'minimal'));
		expect(again.imported).toEqual([]);
		expect(again.skipped).toEqual([{session_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', reason: 'already in the store'}]);
	});

	test('a whole-store backup restores every session, checkpoints included', async () => {
		const first = freshStore();
		await importSessions(first.store, fixtures);
		first.store.checkpoint('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', 'before');
		const backup = path.join(tempDir(), 'backup.tar.gz');
		const written = await exportBackup(first.store, backup);
		expect(written.sessions).toHaveLength(3);
		// The staging folder is gone and the store is untouched.
		expect(fs.readdirSync(first.store.sessionsRoot).filter(name => name.startsWith('.'))).toEqual([]);

		const second = freshStore();
		const result = await importSessions(second.store, backup);
		expect(result.kind).toBe('backup');
		expect(result.imported.sort()).toEqual(first.store.listIds());
		expect(second.store.listCheckpoints('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d').map(c => c.name)).toEqual(['before']);
	});
});
