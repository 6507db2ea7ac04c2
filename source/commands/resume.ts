import path from 'node:path';
import {SfsError} from '../engine/errors.js';
import {RESUME_TARGETS, type ResumeTarget} from '../engine/types.js';
import {note, print, printJson, warn} from '../output.js';
import {type CommandModule, type CommandSpec, confirm, expectArgs, numberFlag, parseArgs, resolveSession, withEngine} from './common.js';
import {shellQuote} from '../engine/shell-quote.js';

const spec: CommandSpec = {
	help: `
		Usage
		  $ sfs resume <ref> [--in claude-code|codex|gemini|copilot] [options]

		Continues a session in a tool. Without --in, in the session's own tool (by its own id when the
		tool still has it). With --in, sfs writes a NEW native session into that tool's store (never
		overwriting one) and launches the tool on it in the session's working directory.
		Cursor, Amp, Cline and Roo Code are capture-only: their sessions need --in, or a default
		target (sfs config set resume.default_target codex).

		Options
		  --in <tool>          Target tool: claude-code, codex, gemini or copilot
		  --model <m>          Passed through to the tool
		  --cwd <dir>          Launch here instead of the session's directory
		  --trim <n>           Keep only the newest n user turns (a summary of the rest goes first)
		  --transcript         Claude Code only: give the conversation as a transcript
		                       (--append-system-prompt-file) instead of writing a native session
		  --no-launch          Write the session and print the command to run
		  --json               With --no-launch: {"target", "native_id", "native_path", "cwd", "command", "report"}
		  --tmux <split|window> Open the tool in a new tmux pane or window (inside tmux)
		  --allow-secrets      Into another tool: send secrets unredacted this once (DLP override)

		Resuming into another tool passes the DLP gate (sfs dlp policy show): secrets block it by
		default; under "redact" the written session holds [REDACTED:<kind>] placeholders.

		Examples
		  $ sfs resume rate-limit-fix --in codex
		  $ sfs resume ses_3f2a --in gemini --no-launch --json
	`,
	flags: {
		in: {type: 'string', choices: [...RESUME_TARGETS]},
		model: {type: 'string'},
		cwd: {type: 'string'},
		trim: {type: 'string'},
		transcript: {type: 'boolean'},
		launch: {type: 'boolean'},
		json: {type: 'boolean'},
		tmux: {type: 'string', choices: ['split', 'window']},
		allowSecrets: {type: 'boolean'},
	},
};

const command: CommandModule = {
	spec,
	async run(argv) {
		const parsed = parseArgs('resume', argv, spec);
		if (!parsed) return 0;
		const {flags, input} = parsed;
		expectArgs('resume', input, 1, 1, 'a session <ref>');
		const noLaunch = flags.launch === false;
		if (flags.json && !noLaunch) throw new SfsError('USAGE', '--json goes with --no-launch', {hint: 'sfs resume <ref> --no-launch --json'});
		if (flags.tmux && !process.env.TMUX) throw new SfsError('USAGE', '--tmux needs to run inside tmux', {hint: 'start tmux first, or leave out --tmux'});
		const {assertLaunchable, defaultTarget, planResume, findExecutable, tmuxCommand} = await import('../engine/resume.js');
		const {loadWriter} = await import('../adapters/writers.js');
		const {plainAdapterContext} = await import('../engine/capture-run.js');
		const plan = await withEngine(async engine => {
			const id = await resolveSession(engine, input[0]!);
			const options = {
				target: flags.in as ResumeTarget | undefined,
				model: flags.model as string | undefined,
				cwd: flags.cwd as string | undefined,
				trim: numberFlag('trim', flags.trim),
				transcript: flags.transcript === true,
				allowSecrets: flags.allowSecrets === true,
			};
			if (!noLaunch) {
				const source = engine.store.readManifest(id).source.tool;
				const target = options.target ?? defaultTarget(source);
				if (target) await assertLaunchable(target, loadWriter, {transcript: options.transcript});
			}

			try {
				return await planResume(engine, id, options, loadWriter, plainAdapterContext(process.env));
			} catch (error) {
				// The session's directory is gone: offer the current one (on a terminal; scripts get the hint).
				if (!(error instanceof SfsError && error.code === 'NOT_FOUND' && /no longer exists/.test(error.message)) || options.cwd || !process.stdin.isTTY) throw error;
				note(`sfs: ${error.message}`);
				if (!(await confirm(`Resume in the current directory ${process.cwd()}?`, false))) return undefined;
				return planResume(engine, id, {...options, cwd: process.cwd()}, loadWriter, plainAdapterContext(process.env));
			}
		});
		if (!plan) return 1;

		if (noLaunch) {
			if (flags.json) {
				printJson({target: plan.target, native_id: plan.native_id, native_path: plan.native_path, cwd: plan.cwd, command: plan.command, report: plan.report, warnings: plan.warnings});
			} else {
				printReport(plan);
				print(`cd ${shellQuote(plan.cwd)} && ${plan.command.map(shellQuote).join(' ')}`);
			}

			return 0;
		}

		printReport(plan);
		const writer = await loadWriter(plan.target);
		if (!findExecutable(plan.command[0]!)) {
			throw new SfsError('NOT_INSTALLED', `${plan.command[0]} (${plan.target}) is not installed or not on PATH`, {hint: `install it: ${writer.installHint}; the session was written as ${plan.native_id}`});
		}

		const {execa} = await import('execa');
		if (flags.tmux) {
			const argv = tmuxCommand(flags.tmux as 'split' | 'window', plan.command, plan.cwd);
			await execa(argv[0]!, argv.slice(1));
			return 0;
		}

		const child = await execa(plan.command[0]!, plan.command.slice(1), {cwd: plan.cwd, stdio: 'inherit', reject: false});
		return typeof child.exitCode === 'number' ? child.exitCode : 1;
	},
};

export default command;

function printReport(plan: {target: string; native_id: string; cwd: string; reused_native: boolean; report: Record<string, unknown>; warnings: string[]}): void {
	const report = plan.report as {messages_kept: number; messages_converted: number; messages_dropped: number; tool_calls_mapped: number; thinking: string; images_kept: number; turns_trimmed: number};
	if (plan.reused_native) note(`sfs: resuming ${plan.target} session ${plan.native_id} in ${plan.cwd}`);
	else {
		note(`sfs: wrote ${plan.target} session ${plan.native_id} (cwd ${plan.cwd})`);
		note(
			`  kept ${report.messages_kept}, converted ${report.messages_converted}, dropped ${report.messages_dropped} message(s); ` +
				`${report.tool_calls_mapped} tool call(s) mapped; thinking ${report.thinking}; ${report.images_kept} image(s); ${report.turns_trimmed} turn(s) trimmed`,
		);
	}

	for (const line of plan.warnings) warn(line);
}

export const _forTests = {shellQuote, path};
