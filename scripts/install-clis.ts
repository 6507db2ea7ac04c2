/**
 * Installs the pinned real CLIs (test/support/cli-versions.json) into the cache dir outside the project
 * (`$SFS_TEST_CLI_CACHE`, default `~/.cache/sfs-test-clis/<pkg>@<version>/`). Idempotent: present installs are skipped.
 *
 *   npx tsx scripts/install-clis.ts            # all five
 *   npx tsx scripts/install-clis.ts codex gemini
 */
import process from 'node:process';
import {cliCacheRoot, cliPins, installCli, TOOL_IDS, type ToolId} from '../test/support/real-clis.js';

const requested = process.argv.slice(2);
const unknown = requested.filter(tool => !TOOL_IDS.includes(tool as ToolId));
if (unknown.length > 0) {
	console.error(`unknown tool(s): ${unknown.join(', ')} (known: ${TOOL_IDS.join(', ')})`);
	process.exit(2);
}

const tools = requested.length > 0 ? requested as ToolId[] : [...TOOL_IDS];
console.log(`CLI cache: ${cliCacheRoot()}`);
let failed = false;
for (const tool of tools) {
	const pin = cliPins()[tool];
	try {
		// eslint-disable-next-line no-await-in-loop -- sequential npm installs
		const {dir, installed} = await installCli(tool, line => {
			console.log(line);
		});
		console.log(`${installed ? 'installed' : 'present  '} ${pin.package}@${pin.version} (${dir})`);
	} catch (error) {
		failed = true;
		console.error(`FAILED    ${pin.package}@${pin.version}: ${error instanceof Error ? error.message : String(error)}`);
	}
}

process.exit(failed ? 1 : 0);
