/**
 * The `sfs init` wizard: (1) pick which detected tools to watch, (2) answer the daemon questions,
 * (3) run the first capture with progress and print a summary. All side effects come in as props so
 * that tests drive it with fakes; `sfs init` (without `--yes`, on a terminal) imports this module lazily.
 */
import {Box, render, Text, useApp, useInput} from 'ink';
import {useEffect, useReducer, useRef} from 'react';
import type {CaptureProgress} from '../engine/capture.js';
import type {ToolId} from '../engine/types.js';
import {theme} from './theme.js';

/** One tool as detection found it. */
export type DetectedTool = {tool: ToolId; name: string; found: string[]; sessions: number};

/** What the user chose. */
export type InitWizardAnswers = {tools: ToolId[]; startDaemon: boolean; installAtLogin: boolean};

export type InitWizardResult = {status: 'done'; answers: InitWizardAnswers} | {status: 'cancelled'} | {status: 'failed'; error: string; answers?: InitWizardAnswers};

export type InitWizardProps = {
	/** Finds the tools (all 8, found or not). */
	detect(): Promise<DetectedTool[]>;
	/** Daemon facts known before asking: running already; `--no-daemon` given (allowed=false); `--install` given. */
	daemon: {running: boolean; allowed: boolean; installFlag: boolean};
	/** Turns the watchers of the chosen tools on; returns a line for the log (or nothing). */
	applyWatchers(selected: ToolId[], detected: DetectedTool[]): Promise<string | undefined> | string | undefined;
	/** The first capture; calls onProgress as it goes and returns the summary line. */
	capture(onProgress: (progress: CaptureProgress) => void): Promise<string>;
	/** Starts the daemon; returns a line such as "daemon started (pid 42)". */
	startDaemon(): Promise<string>;
	/** Installs the login service; returns the lines to show. */
	installDaemon(): Promise<string[]>;
	/** Called once, when the wizard ends (before Ink exits). */
	onDone(result: InitWizardResult): void;
};

type Step = 'detecting' | 'tools' | 'start' | 'login' | 'running' | 'done' | 'failed' | 'cancelled';

/** The wizard's state; reducer-driven so that bursts of keys are not lost (G11). */
export type WizardState = {
	step: Step;
	tools: DetectedTool[];
	checked: boolean[];
	cursor: number;
	startDaemon: boolean;
	installAtLogin: boolean;
	progress?: CaptureProgress;
	log: string[];
	error?: string;
	/** Which daemon questions apply (from the props). */
	askStart: boolean;
	askLogin: boolean;
};

export type WizardAction =
	| {type: 'detected'; tools: DetectedTool[]}
	| {type: 'cursor/up'}
	| {type: 'cursor/down'}
	| {type: 'toggle'}
	| {type: 'confirm'}
	| {type: 'enter'}
	| {type: 'answer'; yes?: boolean}
	| {type: 'progress'; progress: CaptureProgress}
	| {type: 'log'; line: string}
	| {type: 'finished'}
	| {type: 'failed'; error: string}
	| {type: 'cancel'};

export function initialWizardState(daemon: InitWizardProps['daemon']): WizardState {
	return {
		step: 'detecting',
		tools: [],
		checked: [],
		cursor: 0,
		startDaemon: daemon.allowed && !daemon.running,
		installAtLogin: daemon.allowed && daemon.installFlag,
		log: [],
		askStart: daemon.allowed && !daemon.running,
		askLogin: daemon.allowed && !daemon.installFlag,
	};
}

function afterTools(state: WizardState): Step {
	if (state.askStart) return 'start';
	return state.askLogin ? 'login' : 'running';
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
	switch (action.type) {
		case 'detected': {
			return {...state, step: 'tools', tools: action.tools, checked: action.tools.map(tool => tool.found.length > 0), cursor: 0};
		}

		case 'cursor/up': {
			return state.step === 'tools' ? {...state, cursor: Math.max(0, state.cursor - 1)} : state;
		}

		case 'cursor/down': {
			return state.step === 'tools' ? {...state, cursor: Math.min(state.tools.length - 1, state.cursor + 1)} : state;
		}

		case 'toggle': {
			if (state.step !== 'tools' || state.tools.length === 0) return state;
			return {...state, checked: state.checked.map((value, index) => (index === state.cursor ? !value : value))};
		}

		case 'confirm': {
			return state.step === 'tools' ? {...state, step: afterTools(state)} : state;
		}

		case 'enter': {
			// Decided here, not in the key handler, whose closure may hold an older step (G11).
			return wizardReducer(state, state.step === 'tools' ? {type: 'confirm'} : {type: 'answer'});
		}

		case 'answer': {
			if (state.step === 'start') {
				const yes = action.yes ?? true;
				return {...state, startDaemon: yes, step: state.askLogin ? 'login' : 'running'};
			}

			if (state.step === 'login') return {...state, installAtLogin: action.yes ?? false, step: 'running'};
			return state;
		}

		case 'progress': {
			return {...state, progress: action.progress};
		}

		case 'log': {
			return {...state, log: [...state.log, action.line]};
		}

		case 'finished': {
			return {...state, step: 'done', progress: undefined};
		}

		case 'failed': {
			return {...state, step: 'failed', error: action.error, progress: undefined};
		}

		case 'cancel': {
			return state.step === 'running' || state.step === 'done' || state.step === 'failed' ? state : {...state, step: 'cancelled'};
		}
	}
}

export function selectedTools(state: WizardState): ToolId[] {
	return state.tools.filter((_, index) => state.checked[index]).map(tool => tool.tool);
}

function answersOf(state: WizardState): InitWizardAnswers {
	return {tools: selectedTools(state), startDaemon: state.startDaemon, installAtLogin: state.installAtLogin};
}

export function InitWizard(props: InitWizardProps) {
	const {exit} = useApp();
	const [state, dispatch] = useReducer(wizardReducer, props.daemon, initialWizardState);
	const started = useRef(false);
	const ended = useRef(false);

	useEffect(() => {
		let live = true;
		props.detect().then(
			tools => {
				if (live) dispatch({type: 'detected', tools});
			},
			(error: unknown) => {
				if (live) dispatch({type: 'failed', error: (error as Error).message});
			},
		);
		return () => {
			live = false;
		};
		// Detect once, on mount.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, []);

	// Step 3: the side effects, in the order that keeps the daemon's first pass cheap (capture, then start).
	useEffect(() => {
		if (state.step !== 'running' || started.current) return;
		started.current = true;
		const answers = answersOf(state);
		const log = (line: string | undefined) => {
			if (line) dispatch({type: 'log', line});
		};

		void (async () => {
			try {
				log(await props.applyWatchers(answers.tools, state.tools));
				log(await props.capture(progress => dispatch({type: 'progress', progress})));
				if (answers.startDaemon) log(await props.startDaemon());
				if (answers.installAtLogin) for (const line of await props.installDaemon()) log(line);
				dispatch({type: 'finished'});
			} catch (error) {
				dispatch({type: 'failed', error: (error as Error).message});
			}
		})();
	}, [state, props]);

	useEffect(() => {
		if (ended.current) return;
		const end = (result: InitWizardResult) => {
			ended.current = true;
			props.onDone(result);
			// Let the final frame render before Ink unmounts.
			setTimeout(() => exit(), 0);
		};

		if (state.step === 'done') end({status: 'done', answers: answersOf(state)});
		else if (state.step === 'cancelled') end({status: 'cancelled'});
		else if (state.step === 'failed') end({status: 'failed', error: state.error ?? 'failed', answers: started.current ? answersOf(state) : undefined});
	}, [state, props, exit]);

	useInput((input, key) => {
		// G10: escape before meta; rapid keys arrive as one chunk, so walk the characters.
		if (key.escape) return dispatch({type: 'cancel'});
		if (key.upArrow) return dispatch({type: 'cursor/up'});
		if (key.downArrow) return dispatch({type: 'cursor/down'});
		if (key.return) return dispatch({type: 'enter'});
		if (key.ctrl || key.meta) return;
		for (const char of input) {
			if (char === 'k') dispatch({type: 'cursor/up'});
			else if (char === 'j') dispatch({type: 'cursor/down'});
			else if (char === ' ') dispatch({type: 'toggle'});
			else if (char === 'y' || char === 'Y') dispatch({type: 'answer', yes: true});
			else if (char === 'n' || char === 'N') dispatch({type: 'answer', yes: false});
			else if (char === 'q') dispatch({type: 'cancel'});
			else if (char === '\r') dispatch({type: 'enter'});
		}
	});

	return <WizardView state={state} />;
}

const STEP_TITLES: Partial<Record<Step, string>> = {
	detecting: '1/3 looking for tools…',
	tools: '1/3 which tools should sfs watch?',
	start: '2/3 the daemon',
	login: '2/3 the daemon',
	running: '3/3 first capture',
	done: '3/3 first capture',
	failed: 'failed',
	cancelled: 'cancelled',
};

function yesNo(value: boolean): string {
	return value ? 'yes' : 'no';
}

/** A pure view of the state (no input handling). */
export function WizardView({state}: {state: WizardState}) {
	const nameWidth = Math.max(4, ...state.tools.map(tool => tool.name.length));
	const pastTools = state.step !== 'detecting' && state.step !== 'tools';
	return (
		<Box flexDirection="column">
			<Text>
				<Text bold color={theme.accent}>
					sfs init
				</Text>
				<Text color={theme.muted}> · {STEP_TITLES[state.step]}</Text>
			</Text>
			{state.step === 'tools' &&
				state.tools.map((tool, index) => (
					<Text key={tool.tool} wrap="truncate">
						{index === state.cursor ? '› ' : '  '}
						{state.checked[index] ? '[x] ' : '[ ] '}
						{tool.name.padEnd(nameWidth)}{' '}
						{tool.found.length > 0 ? (
							<Text>
								{String(tool.sessions).padStart(5)} session{tool.sessions === 1 ? '' : 's'}
								<Text color={theme.muted}> {tool.found[0]}</Text>
							</Text>
						) : (
							<Text color={theme.muted}>not found</Text>
						)}
					</Text>
				))}
			{state.step === 'tools' && <Text color={theme.muted}>↑/↓ move · space toggles · enter confirms · q quits</Text>}
			{pastTools && state.step !== 'cancelled' && <Text wrap="truncate">watch: {selectedTools(state).join(', ') || 'none'}</Text>}
			{(state.step === 'start' || (pastTools && state.askStart)) && (
				<Text>
					Start the daemon now (captures in the background as you work)? [Y/n] {state.step === 'start' ? '' : yesNo(state.startDaemon)}
				</Text>
			)}
			{(state.step === 'login' || (pastTools && state.step !== 'start' && state.askLogin)) && (
				<Text>Start it at login too? [y/N] {state.step === 'login' ? '' : yesNo(state.installAtLogin)}</Text>
			)}
			{state.log.map((line, index) => (
				// The log only grows; index keys are stable.
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate">
					{line}
				</Text>
			))}
			{state.step === 'running' && (
				<Text wrap="truncate">{state.progress ? `capturing ${state.progress.tool} ${state.progress.done}/${state.progress.total}` : 'capturing…'}</Text>
			)}
			{state.step === 'done' && <Text color={theme.success}>done. Try: sfs (browser), sfs list, sfs search {'<words>'}, sfs doctor</Text>}
			{state.step === 'failed' && <Text color={theme.danger}>sfs: {state.error}</Text>}
			{state.step === 'cancelled' && <Text color={theme.muted}>nothing changed</Text>}
		</Box>
	);
}

/** Renders the wizard on the terminal and resolves when it ends. */
export async function runInitWizard(props: Omit<InitWizardProps, 'onDone'>): Promise<InitWizardResult> {
	let result: InitWizardResult = {status: 'cancelled'};
	const app = render(
		<InitWizard
			{...props}
			onDone={value => {
				result = value;
			}}
		/>,
		{patchConsole: false},
	);
	await app.waitUntilExit();
	return result;
}
