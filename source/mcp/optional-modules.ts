/**
 * Features other parts of sfs provide (summaries and audit, rules and project context, DLP) are
 * loaded at run time, so the MCP server works (answering "not available yet") in a build without them.
 * Module specifiers are relative to this file (source/mcp/ → dist/mcp/).
 */

const cache = new Map<string, Promise<Record<string, unknown> | undefined>>();

/** The module's exports, or undefined when it does not exist (other import errors are real bugs and thrown). */
export async function loadOptionalModule(specifier: string): Promise<Record<string, unknown> | undefined> {
	let loading = cache.get(specifier);
	if (!loading) {
		loading = import(specifier).then(
			module => module as Record<string, unknown>,
			(error: unknown) => {
				const code = (error as NodeJS.ErrnoException).code;
				// Only the module itself missing counts as "not there"; a present module with a broken import is a bug.
				const missing = code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(specifier.split('/').pop()!);
				if (missing) return undefined;
				throw error;
			},
		);
		cache.set(specifier, loading);
	}

	return loading;
}
