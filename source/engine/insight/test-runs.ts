/**
 * Test runs among shell commands (pytest, jest, vitest, mocha, go test, cargo test, npm/pnpm/yarn/bun
 * test, …) with pass/fail counts read from their output.
 */
import {type ShellCommand, simpleCommands, words} from './tool-calls.js';

export type TestRun = {
	command: string;
	passed: number | null;
	failed: number | null;
	exit_code: number | null;
	msg_id: string;
	result_msg_id?: string;
	position: number;
	time: number;
};

const RUNNERS = new Set(['pytest', 'py.test', 'jest', 'vitest', 'mocha', 'ava', 'tap', 'rspec', 'phpunit', 'tox', 'nox', 'ctest']);
const SCRIPT_RUNNERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/** Is this command line a test run? */
export function isTestCommand(line: string): boolean {
	return simpleCommands(line).some(part => {
		const argv = words(part);
		let [head, ...rest] = argv;
		if (!head) return false;
		head = head.replace(/^.*\//, '');
		if (head === 'npx' || head === 'bunx' || head === 'pnpx' || (head === 'pnpm' && rest[0] === 'exec') || (head === 'uv' && rest[0] === 'run') || (head === 'poetry' && rest[0] === 'run')) {
			const next = head === 'npx' || head === 'bunx' || head === 'pnpx' ? rest : rest.slice(1);
			const tool = next.find(word => !word.startsWith('-'));
			return tool !== undefined && isTestCommand(next.slice(next.indexOf(tool)).join(' '));
		}

		if (RUNNERS.has(head)) return true;
		if (/^python[\d.]*$/.test(head) && rest[0] === '-m' && ['pytest', 'unittest', 'nose2', 'tox'].includes(rest[1] ?? '')) return true;
		if ((head === 'go' || head === 'cargo' || head === 'dotnet' || head === 'deno' || head === 'mix' || head === 'gradle' || head === './gradlew' || head === 'gradlew' || head === 'mvn' || head === 'make') && rest.includes('test')) return rest.find(word => !word.startsWith('-')) === 'test';
		if (SCRIPT_RUNNERS.has(head)) {
			const first = rest.find(word => !word.startsWith('-'));
			if (first === 'test' || first === 't') return true;
			if (first === 'run') return /^test(:|$)/.test(rest[rest.indexOf('run') + 1] ?? '');
			return first !== undefined && /^test(:|$)/.test(first) && head !== 'npm';
		}

		return false;
	});
}

type Counts = {passed: number; failed: number};

const sum = (text: string, pattern: RegExp): number | undefined => {
	let total: number | undefined;
	for (const match of text.matchAll(pattern)) total = (total ?? 0) + Number(match[1]);
	return total;
};

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001B\[[0-9;]*[A-Za-z]/g, '');

/** Pass/fail counts from a test runner's output; undefined when no known summary line is there. */
export function parseTestOutput(raw: string): Counts | undefined {
	const text = stripAnsi(raw);
	// vitest: " Tests  1 failed | 4 passed (5)"
	const vitest = [...text.matchAll(/^\s*Tests\s+((?:\d+ \w+(?: \| )?)+)\s*\(\d+\)/gm)];
	if (vitest.length > 0) {
		const line = vitest.at(-1)![1]!;
		return {passed: Number(/(\d+) passed/.exec(line)?.[1] ?? 0), failed: Number(/(\d+) failed/.exec(line)?.[1] ?? 0)};
	}

	// jest: "Tests:       1 failed, 4 passed, 5 total"
	const jest = [...text.matchAll(/^\s*Tests:\s+(.*\d+ total)/gm)];
	if (jest.length > 0) {
		const line = jest.at(-1)![1]!;
		return {passed: Number(/(\d+) passed/.exec(line)?.[1] ?? 0), failed: Number(/(\d+) failed/.exec(line)?.[1] ?? 0)};
	}

	// cargo: "test result: ok. 3 passed; 0 failed; …" (one per test binary)
	if (/test result: (ok|FAILED)\./.test(text)) {
		return {passed: sum(text, /test result: \w+\. (\d+) passed/g) ?? 0, failed: sum(text, /test result: \w+\. \d+ passed; (\d+) failed/g) ?? 0};
	}

	// pytest: "==== 2 failed, 5 passed, 1 error in 0.12s ====" or "5 passed in 0.01s"
	const pytest = [...text.matchAll(/^=*\s*((?:\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed|warnings?|deselected)(?:, )?)+) in [\d.]+m?s/gm)];
	if (pytest.length > 0) {
		const line = pytest.at(-1)![1]!;
		const failed = Number(/(\d+) failed/.exec(line)?.[1] ?? 0) + Number(/(\d+) errors?/.exec(line)?.[1] ?? 0);
		return {passed: Number(/(\d+) passed/.exec(line)?.[1] ?? 0), failed};
	}

	// mocha: "  5 passing (20ms)" / "  1 failing"
	const passing = /^\s*(\d+) passing\b/m.exec(text);
	const failing = /^\s*(\d+) failing\b/m.exec(text);
	if (passing || failing) return {passed: Number(passing?.[1] ?? 0), failed: Number(failing?.[1] ?? 0)};

	// TAP summary (node --test, tape): "# pass 4" / "# fail 1"
	const tapPass = /^# pass (\d+)/m.exec(text);
	const tapFail = /^# fail (\d+)/m.exec(text);
	if (tapPass || tapFail) return {passed: Number(tapPass?.[1] ?? 0), failed: Number(tapFail?.[1] ?? 0)};

	// unittest: "Ran 5 tests in 0.001s" then "OK" or "FAILED (failures=1, errors=1)"
	const ran = /^Ran (\d+) tests? in/m.exec(text);
	if (ran) {
		const failures = Number(/FAILED \(.*?failures=(\d+)/.exec(text)?.[1] ?? 0) + Number(/FAILED \(.*?errors=(\d+)/.exec(text)?.[1] ?? 0);
		return {passed: Number(ran[1]) - failures, failed: failures};
	}

	// go test -v: "--- PASS: TestX" / "--- FAIL: TestY"; without -v: "ok  pkg 0.1s" / "FAIL pkg 0.1s" per package
	const goPass = countLines(text, /^\s*--- PASS: /gm);
	const goFail = countLines(text, /^\s*--- FAIL: /gm);
	if (goPass + goFail > 0) return {passed: goPass, failed: goFail};
	const goOk = countLines(text, /^ok\s+\S+\s+(\([^)]*\)|[\d.]+s)/gm);
	const goBad = countLines(text, /^FAIL\s+\S+\s+[\d.]+s/gm);
	if (goOk + goBad > 0) return {passed: goOk, failed: goBad};
	return undefined;
}

function countLines(text: string, pattern: RegExp): number {
	return [...text.matchAll(pattern)].length;
}

export function testRuns(commands: ShellCommand[]): TestRun[] {
	const runs: TestRun[] = [];
	for (const command of commands) {
		if (!isTestCommand(command.command)) continue;
		const counts = parseTestOutput(command.output);
		runs.push({
			command: command.command,
			passed: counts?.passed ?? null,
			failed: counts?.failed ?? null,
			exit_code: command.exit_code,
			msg_id: command.msg_id,
			result_msg_id: command.result_msg_id,
			position: command.position,
			time: command.time,
		});
	}

	return runs;
}

/** A run that failed: failures counted, or a non-zero exit. */
export function runFailed(run: TestRun): boolean {
	return (run.failed ?? 0) > 0 || (run.exit_code !== null && run.exit_code !== 0);
}
