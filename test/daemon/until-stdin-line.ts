/** Resolves when a line arrives on stdin, or stdin closes: how the holder fixtures are told to let go. */
import readline from 'node:readline';

export async function untilStdinLine(): Promise<void> {
	const lines = readline.createInterface({input: process.stdin});
	await new Promise<void>(resolve => {
		lines.once('line', () => resolve());
		lines.once('close', () => resolve());
	});
	lines.close();
}
