import {Box, Text} from 'ink';
import {helpFor, LAYER_TITLES, type Layer} from './keymap.js';
import {theme} from './theme.js';

/** Two columns only when each gets this many columns (narrower, the labels are cut to a few words). */
const TWO_COLUMN_WIDTH = 100;

/** How the help fits: columns, entries per column, and whether it scrolls (then the last row says where it is). */
export function helpWindow(entryCount: number, columns: number, rows: number): {columnCount: number; perColumn: number; shown: number; maxOffset: number} {
	const perColumn = Math.max(1, rows - 2); // title + blank line
	const columnCount = entryCount > perColumn && columns >= TWO_COLUMN_WIDTH ? 2 : 1;
	if (entryCount <= perColumn * columnCount) {
		return {columnCount, perColumn, shown: entryCount, maxOffset: 0};
	}

	// Too long for the screen (a small terminal): one row is kept for the "more" line, j/k scroll.
	const rowsPerColumn = Math.max(1, perColumn - 1);
	const shown = rowsPerColumn * columnCount;
	return {columnCount, perColumn: rowsPerColumn, shown, maxOffset: Math.max(0, entryCount - shown)};
}

/** Every key of the screen below, from the same keymap that handles them. Two columns when long and wide; scrolls when it does not fit. */
export function HelpOverlay({layer, columns, rows, offset = 0}: {layer: Layer; columns: number; rows: number; offset?: number}) {
	const entries = helpFor(layer);
	const {columnCount, perColumn, shown, maxOffset} = helpWindow(entries.length, columns, rows);
	const start = Math.min(Math.max(0, offset), maxOffset);
	const visible = entries.slice(start, start + shown);
	const width = Math.floor(columns / columnCount);
	const chunks = Array.from({length: columnCount}, (_, index) => visible.slice(index * perColumn, (index + 1) * perColumn));
	return (
		<Box flexDirection="column" width={columns} height={rows}>
			<Text bold color={theme.accent} wrap="truncate">
				Help · {LAYER_TITLES[layer]} <Text color={theme.muted}>(? or Esc closes)</Text>
			</Text>
			<Box marginTop={1}>
				{chunks.map((chunk, index) => (
					// eslint-disable-next-line react/no-array-index-key
					<Box key={index} flexDirection="column" width={width}>
						{chunk.map(entry => (
							<Text key={`${entry.keys}|${entry.label}`} wrap="truncate">
								<Text bold color={theme.accent}>
									{entry.keys.padEnd(14)}
								</Text>
								{entry.label}
							</Text>
						))}
					</Box>
				))}
			</Box>
			{maxOffset > 0 ? (
				<Text wrap="truncate" color={theme.muted}>
					{`${start + 1}-${start + visible.length} of ${entries.length} keys · ↓↑ j k PgDn PgUp scroll`}
				</Text>
			) : null}
		</Box>
	);
}
