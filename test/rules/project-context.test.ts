import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {contextPath, initContext, normalizeRemote, readContext, writeContext} from '../../source/engine/project-context.js';

describe('normalizeRemote', () => {
	test.each([
		['git@github.com:Acme/widgets.git', 'github.com/Acme/widgets'],
		['https://user@GitHub.com/Acme/widgets/', 'github.com/Acme/widgets'],
		['https://github.com/Acme/widgets.git', 'github.com/Acme/widgets'],
		['ssh://git@github.com:22/Acme/widgets', 'github.com/Acme/widgets'],
		['git://gitlab.example.org/group/sub/repo.git', 'gitlab.example.org/group/sub/repo'],
		['file:///srv/git/repo.git', '/srv/git/repo'],
		['/srv/git/repo.git', '/srv/git/repo'],
	])('%s → %s', (url, expected) => {
		expect(normalizeRemote(url)).toBe(expected);
	});
});

describe('context store', () => {
	const dirs: string[] = [];
	afterEach(() => {
		for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
	});

	test('init from a template once, replace, read back; kept in the data dir with a sidecar naming the project', () => {
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-ctx-'));
		dirs.push(home);
		const env = {SFS_HOME: path.join(home, 'sfs')};
		const project = {key: 'remote:github.com/acme/widgets', root: '/work/widgets', remote: 'github.com/acme/widgets'};
		expect(readContext(project, env).text).toBeNull();
		const first = initContext(project, env);
		expect(first.created).toBe(true);
		expect(first.context.text).toMatch(/^# github\.com\/acme\/widgets\n/);
		expect(initContext(project, env).created).toBe(false);
		const written = writeContext(project, 'No trailing newline', env, new Date('2026-01-02T03:04:05Z'));
		expect(written.text).toBe('No trailing newline\n');
		expect(written.path).toBe(contextPath(project.key, env));
		expect(path.dirname(written.path)).toBe(path.join(home, 'sfs', 'projects'));
		expect(JSON.parse(fs.readFileSync(written.path.replace(/\.md$/, '.json'), 'utf8'))).toEqual({key: project.key, remote: project.remote, root: project.root, updated_at: '2026-01-02T03:04:05.000Z'});
		expect(contextPath('path:/other', env)).not.toBe(written.path);
	});
});
