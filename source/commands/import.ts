import {note, print, printJson} from '../output.js';
import {type CommandModule, type CommandSpec, expectArgs, parseArgs, withEngine} from './common.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs import <path>

		<path> is an .sfs session directory (or a folder of them), a .sfs.tar.gz archive (written by
		sfs or SessionFS), or a backup from "sfs export --all". Every session is checked against the
		.sfs v0.1.0 schemas first; a bad one refuses the whole import. Imported sessions keep their ids;
		sessions already in the store are left as they are.

		Options
		  --json   {"imported": […], "skipped": [{"session_id", "reason"}]}

		Examples
		  $ sfs import ./ses_3f2a.sfs.tar.gz
		  $ sfs import ~/backups/sfs-backup.tar.gz
	`,
	flags: {json: {type: 'boolean'}},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('import', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('import', input, 1, 1, 'a <path> to import');
		const {importSessions, manifestForIndex} = await import('../engine/archive.js');
		const result = await withEngine(engine =>
			importSessions(engine.store, input[0]!, (id, manifest, messages) => {
				engine.index.transaction(() => {
					engine.index.removeSession(id);
					engine.index.upsertSession(manifestForIndex(manifest, messages));
					engine.index.addMessages(id, messages, 1);
				});
			}),
		);
		for (const skip of result.skipped) note(`sfs: skipped ${skip.session_id}: ${skip.reason}`);
		if (flags.json) printJson({imported: result.imported, skipped: result.skipped});
		else {
			for (const id of result.imported) print(id);
			note(`sfs: imported ${result.imported.length} session(s)${result.skipped.length > 0 ? `, skipped ${result.skipped.length}` : ''}`);
		}

		return 0;
	},
};

export default command;
