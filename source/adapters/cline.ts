/**
 * Cline: the VS Code extension (and forks) with classic task folders under
 * `globalStorage/saoudrizwan.claude-dev/tasks/<id>/` (also `~/.cline/data/tasks/` for the pre-SDK
 * standalone CLI/JetBrains), and the Cline CLI's sessions under `~/.cline/data/sessions/<id>/`.
 */
import type {Adapter, AdapterContext, NativeSession} from './types.js';
import {clineDataDir, clineSessionsDir, discoverSdkSessions, readSdkSession, sdkSessionsAt} from './cline-sdk.js';
import {CLINE_EXTENSION_ID, discoverTaskFolders, extensionStorageRoots, isTaskFolderSession, readTaskFolder, taskFolderSessionsAt, uniqueNativeIds} from './vscode-tasks.js';

function taskStorageRoots(ctx: AdapterContext): string[] {
	return [...extensionStorageRoots(ctx, CLINE_EXTENSION_ID), clineDataDir(ctx)];
}

/** Sessions at a user-given path (for `sfs import --from cline <path>`): a task folder or store, or a CLI session or store. */
export async function clineSessionsAt(target: string): Promise<NativeSession[]> {
	const sessions = await sdkSessionsAt(target);
	const tasks = await taskFolderSessionsAt('cline', target);
	return uniqueNativeIds([...sessions, ...tasks]);
}

export const clineAdapter: Adapter & {lastDiscoverWarnings: string[]} = {
	id: 'cline',
	name: 'Cline',
	lastDiscoverWarnings: [],
	roots(ctx) {
		return [...taskStorageRoots(ctx), clineSessionsDir(ctx)];
	},
	async discover(ctx) {
		const warnings: string[] = [];
		// CLI sessions first: on an id clash they keep the plain id (`cline --id <id>` resumes by it).
		const sessions = await discoverSdkSessions(ctx, warnings);
		const tasks = await discoverTaskFolders('cline', taskStorageRoots(ctx), warnings);
		this.lastDiscoverWarnings = warnings;
		return uniqueNativeIds([...sessions, ...tasks]);
	},
	async read(request, ctx) {
		return isTaskFolderSession(request.session) ? readTaskFolder(request, ctx, 'cline') : readSdkSession(request, ctx);
	},
};
