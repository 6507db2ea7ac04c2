/** Opening files in the user's editor ($VISUAL, else $EDITOR, else vi), for `rules edit` and `project edit`. */
import {spawnSync} from 'node:child_process';
import {SfsError} from '../errors.js';

/** The editor command split into program and arguments (`code --wait` is two words). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string[] {
	const raw = (env.VISUAL || env.EDITOR || 'vi').trim();
	return raw.split(/\s+/).filter(Boolean);
}

/** Runs the editor on `files` attached to this terminal; throws when it cannot start or fails. */
export function openInEditor(files: string[], env: NodeJS.ProcessEnv = process.env): void {
	const [program, ...args] = editorCommand(env);
	const result = spawnSync(program!, [...args, ...files], {stdio: 'inherit', env});
	if (result.error) throw new SfsError('NOT_INSTALLED', `cannot start the editor ${JSON.stringify(program)}: ${result.error.message}`, {hint: 'set $EDITOR (e.g. export EDITOR=nano)'});
	if (result.status !== 0) throw new SfsError('IO', `the editor ${program} exited with ${result.status ?? result.signal}`);
}
