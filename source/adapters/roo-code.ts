/**
 * Roo Code (`rooveterinaryinc.roo-cline`): the same task-folder layout as the Cline extension, under
 * each editor's `globalStorage/rooveterinaryinc.roo-cline/tasks/<id>/`, plus `history_item.json`
 * per task (v3.49+) and `tasks/_index.json`. The Roo CLI keeps the same layout under
 * `~/.vscode-mock/global-storage`. The `roo-cline.customStoragePath` setting is honoured.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Adapter, AdapterContext, NativeSession} from './types.js';
import {ROO_CODE_EXTENSION_ID, discoverTaskFolders, editorUserDirs, extensionStorageRoots, readTaskFolder, taskFolderSessionsAt, uniqueNativeIds} from './vscode-tasks.js';

/**
 * The `roo-cline.customStoragePath` user setting moves the store out of globalStorage. settings.json is
 * JSONC (comments, trailing commas), so the one string setting is picked out with a pattern, not parsed.
 */
export function customStoragePaths(ctx: AdapterContext): string[] {
	const paths: string[] = [];
	for (const userDir of editorUserDirs(ctx)) {
		let text: string;
		try {
			text = fs.readFileSync(path.join(userDir, 'settings.json'), 'utf8');
		} catch {
			continue;
		}

		const match = /"roo-cline\.customStoragePath"\s*:\s*"((?:[^"\\]|\\.)+)"/.exec(text);
		if (!match) continue;
		try {
			const value = JSON.parse(`"${match[1]}"`) as string;
			if (path.isAbsolute(value) && !paths.includes(value)) paths.push(value);
		} catch {
			// A malformed escape: ignore the setting.
		}
	}

	return paths;
}

function storageRoots(ctx: AdapterContext): string[] {
	return [...extensionStorageRoots(ctx, ROO_CODE_EXTENSION_ID), ...customStoragePaths(ctx), path.join(ctx.home, '.vscode-mock', 'global-storage')];
}

/** Sessions at a user-given path (for `sfs import --from roo-code <path>`): a storage root, `tasks/`, a task folder or a file in it. */
export async function rooCodeSessionsAt(target: string): Promise<NativeSession[]> {
	return uniqueNativeIds(await taskFolderSessionsAt('roo-code', target));
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
		const sessions = uniqueNativeIds(await discoverTaskFolders('roo-code', storageRoots(ctx), warnings));
		this.lastDiscoverWarnings = warnings;
		return sessions;
	},
	async read(request, ctx) {
		return readTaskFolder(request, ctx, 'roo-code');
	},
};
