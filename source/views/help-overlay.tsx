import {Box, Text} from 'ink';
import {helpFor, LAYER_TITLES, type Layer} from './keymap.js';
import {theme} from './theme.js';

/** Every key of the screen below, from the same keymap that handles them. Two columns when long. */
export function HelpOverlay({layer, columns, rows}: {layer: Layer; columns: number; rows: number}) {
	const entries = helpFor(layer);
	const perColumn = Math.max(1, rows - 2);
	const columnCount = Math.min(2, Math.ceil(entries.length / perColumn));
	const width = Math.floor(columns / Math.max(1, columnCount));
	const chunks = Array.from({length: columnCount}, (_, index) => entries.slice(index * perColumn, (index + 1) * perColumn));
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
		</Box>
	);
}
