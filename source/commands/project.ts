import fs from 'node:fs';
import {SfsError} from '../engine/errors.js';
import {note, out, print, printJson} from '../output.js';
import {assertEditorCanRun, type CommandModule, type CommandSpec, parseArgs} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs project init               Create this repository's context document (from a template)
		  $ sfs project edit               Open it in $EDITOR (created first if needed)
		  $ sfs project show [--json]      Which project this is, where its document is, and the document
		  $ sfs project set-context FILE   Replace the document with FILE (- reads stdin)
		  $ sfs project get-context        Print the document raw (for pipes and agents)
		  $ sfs project push [--org NAME] [--force] [--json]   Send the document to the sfs server
		  $ sfs project pull [--org NAME] [--force] [--json]   Take the server's document

		One Markdown document per git repository, kept in the sfs data dir (not in the repository).
		A repository is known by its normalized remote URL (every clone shares the document), else by
		its root path.

		push and pull go through the sfs server you are logged in to (sfs auth login), as yours or, with
		--org, your org's. The server knows the project by its git remote (origin, else the first
		remote), else by the name of its directory. pull refuses to replace a document that changed here
		since the last push/pull and differs from the server's; push refuses when the server's changed
		since then: --force overrides.

		Options
		  --json       show: {"key", "root", "remote", "path", "text", "updated_at"}; push/pull: what was synced
		  --org NAME   push/pull: the org's document instead of yours
		  --force      push/pull: replace the other side even when both changed

		Examples
		  $ sfs project set-context docs/context.md
		  $ sfs project get-context | pbcopy
	`,
	flags: {json: {type: 'boolean'}, org: {type: 'string'}, force: {type: 'boolean'}},
};

const usage = (what: string) => new SfsError('USAGE', `project: ${what}`, {hint: 'see: sfs project --help'});

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('project', argv, spec);
		if (!parsed) return 0;
		const [action, file, extra] = parsed.input;
		if (action !== 'push' && action !== 'pull' && (parsed.flags.org !== undefined || parsed.flags.force !== undefined)) {
			throw usage(`--${parsed.flags.org === undefined ? 'force' : 'org'} applies to push and pull only`);
		}

		const {initContext, projectKey, readContext, writeContext} = await import('../engine/project-context.js');
		const project = projectKey(process.cwd());
		const wants = (count: number) => {
			const given = [file, extra].filter(value => value !== undefined).length;
			if (given > count) throw usage(`unexpected argument ${JSON.stringify(count === 0 ? file : extra)}`);
		};

		switch (action) {
			case 'init': {
				wants(0);
				const {context, created} = initContext(project);
				note(created ? `sfs: created the context of ${project.key} at ${context.path}` : `sfs: ${project.key} already has a context (${context.path})`);
				return 0;
			}

			case 'edit': {
				wants(0);
				const {context} = initContext(project);
				assertEditorCanRun([context.path]);
				const {openInEditor} = await import('../engine/rules/editor.js');
				openInEditor([context.path]);
				return 0;
			}

			case 'show': {
				wants(0);
				const context = readContext(project);
				if (parsed.flags.json) {
					printJson(context);
					return 0;
				}

				print(out.bold(project.key));
				print(out.dim(`root ${project.root}`));
				print(out.dim(`file ${context.path}${context.text === null ? ' (not created yet: sfs project init)' : ''}`));
				if (context.text !== null) print(`\n${context.text.trimEnd()}`);
				return 0;
			}

			case 'set-context': {
				if (!file) throw usage('missing a FILE (or - for stdin)');
				wants(1);
				let text: string;
				try {
					text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
				} catch (error) {
					throw new SfsError('NOT_FOUND', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
				}

				const context = writeContext(project, text);
				note(`sfs: context of ${project.key} set (${Buffer.byteLength(text)} bytes, ${context.path})`);
				return 0;
			}

			case 'get-context': {
				wants(0);
				const context = readContext(project);
				if (context.text === null) throw new SfsError('NOT_FOUND', `no context for ${project.key}`, {hint: 'create it: sfs project init, or sfs project set-context FILE'});
				process.stdout.write(context.text);
				return 0;
			}

			case 'push':
			case 'pull': {
				wants(0);
				const {requireCredentials} = await import('../sync/credentials.js');
				const {pullDocument, pushDocument} = await import('../sync/doc-sync.js');
				const credentials = requireCredentials();
				const options = {org: parsed.flags.org as string | undefined, force: parsed.flags.force === true};
				const result = action === 'push' ? await pushDocument(credentials, 'project', process.cwd(), options) : await pullDocument(credentials, 'project', process.cwd(), options);
				if (parsed.flags.json) printJson(result);
				else {
					const where = `${result.org ? `${result.org} on ` : ''}${credentials.url}`;
					print(!result.changed ? `context of ${result.project} already in sync with ${where}` : action === 'push' ? `pushed the context of ${result.project} to ${where}` : `pulled the context of ${result.project} from ${where}`);
				}

				return 0;
			}

			case undefined: {
				throw usage('missing an action (init, edit, show, set-context, get-context, push, pull)');
			}

			default: {
				throw usage(`unknown action ${JSON.stringify(action)} (init, edit, show, set-context, get-context, push, pull)`);
			}
		}
	},
};

export default command;
