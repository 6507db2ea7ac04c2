/** Shared bits for the view tests: key sequences, rendering the App over a fake engine. */
import {render} from 'ink-testing-library';
import {App} from '../../source/views/app.js';
import type {TuiResult} from '../../source/views/controller.js';
import type {Size} from '../../source/views/layout.js';
import {FakeEngine} from './fake-engine.js';

export const keys = {
	down: '\u001B[B',
	up: '\u001B[A',
	left: '\u001B[D',
	right: '\u001B[C',
	enter: '\r',
	esc: '\u001B',
	backspace: '\u007F',
	tab: '\t',
	pageDown: '\u001B[6~',
	pageUp: '\u001B[5~',
	ctrlC: '\u0003',
} as const;

export function renderApp(engine: FakeEngine, size: Size = {columns: 120, rows: 30}, extra: {demo?: boolean} = {}) {
	const exits: TuiResult[] = [];
	const writes: string[] = [];
	const instance = render(
		<App engine={engine} size={size} demo={extra.demo} searchDelay={0} onExit={result => exits.push(result)} writeTerminal={data => writes.push(data)} />,
	);
	return {...instance, exits, writes, frame: () => instance.lastFrame() ?? ''};
}
