/**
 * The root of the TUI: a fixed-height frame (header, screen, status bar, footer) over the store.
 * One useInput for the whole app; keys go to exactly one layer (G12) through the controller.
 */
import {Box, useApp, useInput, useStdin, useStdout} from 'ink';
import {useEffect, useMemo, useState} from 'react';
import {ActionsScreen} from './actions-screen.js';
import {activeLayer, initialAppState, type AppState} from './app-state.js';
import {Footer, Header, StatusBar} from './chrome.js';
import {Controller, type TuiResult} from './controller.js';
import {DiffScreen} from './diff-screen.js';
import {EngineContext, type TuiEngine} from './engine-context.js';
import {HandoffController} from './handoff-controller.js';
import {HandoffScreen} from './handoff-screen.js';
import {type HandoffState, useHandoffState} from './handoff-state.js';
import {HelpOverlay} from './help-overlay.js';
import {computeLayout, type Size} from './layout.js';
import {ResumeScreen} from './resume-screen.js';
import {RulesScreen} from './rules-screen.js';
import {SearchScreen} from './search-screen.js';
import {SessionScreen} from './session-screen.js';
import {SessionsScreen} from './sessions-screen.js';
import {Store, useStoreState} from './store.js';
import {useTerminalSize} from './use-terminal-size.js';

export type AppProps = {
	engine: TuiEngine;
	/** Keep state across mounts (runTui passes one so the TUI comes back where it was after a launch). */
	store?: Store;
	/** Fixed size (tests); otherwise the terminal's, following resizes. */
	size?: Size;
	/** Show the demo badge. */
	demo?: boolean;
	/** Called with the result just before the app unmounts. */
	onExit?: (result: TuiResult) => void;
	/** Raw terminal writes (OSC 52); defaults to Ink's stdout. */
	writeTerminal?: (data: string) => void;
	/** Search-as-you-type debounce in ms (tests use 0). */
	searchDelay?: number;
};

function Body({state, engine, handoff}: {state: AppState; engine: TuiEngine; handoff: HandoffState}) {
	const layout = computeLayout(state.size);
	if (state.help) {
		return <HelpOverlay layer={activeLayer({...state, help: false})} columns={state.size.columns} rows={layout.bodyRows} offset={state.helpOffset} />;
	}

	switch (state.screen) {
		case 'sessions': {
			return <SessionsScreen state={state} />;
		}

		case 'session': {
			return <SessionScreen state={state} />;
		}

		case 'search': {
			return <SearchScreen state={state} />;
		}

		case 'diff': {
			return <DiffScreen state={state} />;
		}

		case 'resume': {
			return <ResumeScreen state={state} engine={engine} />;
		}

		case 'actions': {
			return <ActionsScreen state={state} />;
		}

		case 'rules': {
			return <RulesScreen state={state} />;
		}

		case 'handoff': {
			return <HandoffScreen state={state} handoff={handoff} />;
		}
	}
}

export function App({engine, store: givenStore, size: fixedSize, demo = false, onExit, writeTerminal, searchDelay}: AppProps) {
	const {exit} = useApp();
	const {stdout} = useStdout(); // Ink's stdout, so tests see OSC 52 writes too
	const size = useTerminalSize(fixedSize);
	const [store] = useState(() => givenStore ?? new Store(initialAppState(size, {demo, capture: engine.captureState()})));
	const state = useStoreState(store);

	useEffect(() => {
		store.dispatch({type: 'resize', size});
	}, [store, size.columns, size.rows]); // eslint-disable-line react-hooks/exhaustive-deps

	const controller = useMemo(
		() =>
			new Controller(store, engine, {
				exit(result) {
					onExit?.(result);
					exit(result);
				},
				writeTerminal: writeTerminal ?? (data => stdout.write(data)),
				searchDelay,
			}),
		[store, engine], // eslint-disable-line react-hooks/exhaustive-deps
	);
	useEffect(() => controller.start(), [controller]);
	// The Handoff screen has its own controller and store (handoff-controller.ts); it sees each key first.
	const handoff = useMemo(() => new HandoffController(store, engine), [store, engine]);
	useEffect(() => handoff.start(), [handoff]);
	const handoffState = useHandoffState(handoff.store);

	const {isRawModeSupported} = useStdin();
	// G8: isRawModeSupported is undefined (not false) without a TTY, and only `false` disables useInput.
	useInput(
		(input, key) => {
			if (!handoff.handleInput(input, key)) controller.handleInput(input, key);
		},
		{isActive: isRawModeSupported === true},
	);

	const layout = computeLayout(state.size);
	const layer = state.screen === 'handoff' && !state.help ? handoff.layer() : activeLayer(state);
	return (
		<EngineContext.Provider value={engine}>
			{/* G1: one row short of the terminal, or Ink 6 clears the screen on every frame (ink#450). */}
			<Box flexDirection="column" width={state.size.columns} height={layout.height}>
				<Header state={state} />
				<Box flexDirection="column" height={layout.bodyRows} overflowY="hidden">
					{/* flexShrink 0: a screen taller than the body is clipped at the bottom; shrinking would overlap its lines. */}
					<Box flexDirection="column" flexShrink={0}>
						<Body state={state} engine={engine} handoff={handoffState} />
					</Box>
				</Box>
				<StatusBar state={state} />
				<Footer layer={layer} columns={state.size.columns} />
			</Box>
		</EngineContext.Provider>
	);
}
