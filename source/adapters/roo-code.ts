/**
 * Roo Code (`rooveterinaryinc.roo-cline`): the same task-folder layout as the Cline extension, under
 * each editor's `globalStorage/rooveterinaryinc.roo-cline/tasks/<id>/`, plus `history_item.json`
 * per task (v3.49+) and `tasks/_index.json`. The Roo CLI keeps the same layout under
 * `~/.vscode-mock/global-storage`.
 */
import path from 'node:path';
import type {Adapter, AdapterContext, NativeSession} from './types.js';
import {ROO_CODE_EXTENSION_ID, discoverTaskFolders, extensionStorageRoots, readTaskFolder, taskFolderSessionsAt} from './vscode-tasks.js';

function storageRoots(ctx: AdapterContext): string[] {
	return [...extensionStorageRoots(ctx, ROO_CODE_EXTENSION_ID), path.join(ctx.home, '.vscode-mock', 'global-storage')];
}

/** Sessions at a user-given path (for `sfs import --from roo-code <path>`): a storage root, `tasks/`, a task folder or a file in it. */
export async function rooCodeSessionsAt(target: string): Promise<NativeSession[]> {
	return taskFolderSessionsAt('roo-code', target);
}

export const rooCodeAdapter: Adapter & {lastDiscoverWarnings: string[]} = {
	id: 'roo-code',
	name: 'Roo Code',
	lastDiscoverWarnings: [],
	roots(ctx) {
		return storageRoots(ctx);
	},
	async discover(ctx) {
		const warnings: string[] = [];
		const sessions = await discoverTaskFolders('roo-code', storageRoots(ctx), warnings);
		this.lastDiscoverWarnings = warnings;
		return sessions;
	},
	async read(request, ctx) {
		return readTaskFolder(request, ctx, 'roo-code');
	},
};
