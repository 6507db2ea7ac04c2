import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temp git repository (real `git init`); `files` are written into it. */
export function tempRepo(files: Record<string, string> = {}): {root: string; write(file: string, text: string): void; read(file: string): string; exists(file: string): boolean; cleanup(): void} {
	const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-rules-')));
	execFileSync('git', ['init', '-q', root], {stdio: 'ignore'});
	const write = (file: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(root, file)), {recursive: true});
		fs.writeFileSync(path.join(root, file), text);
	};

	for (const [file, text] of Object.entries(files)) write(file, text);
	return {
		root,
		write,
		read: file => fs.readFileSync(path.join(root, file), 'utf8'),
		exists: file => fs.existsSync(path.join(root, file)),
		cleanup: () => fs.rmSync(root, {recursive: true, force: true}),
	};
}
