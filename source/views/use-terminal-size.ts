/**
 * Terminal size that re-renders on resize (G5: Ink 6 re-lays out on resize but does not re-render
 * React, so page sizes would go stale). A fixed size can be given for tests; 80×24 when unknown
 * (ink-testing-library's stdout has no rows).
 */
import {useStdout} from 'ink';
import {useEffect, useState} from 'react';
import type {Size} from './layout.js';

function read(stdout: NodeJS.WriteStream): Size {
	return {columns: stdout.columns || 80, rows: stdout.rows || 24};
}

export function useTerminalSize(fixed?: Size): Size {
	const {stdout} = useStdout();
	const [size, setSize] = useState<Size>(() => read(stdout));
	useEffect(() => {
		if (fixed) {
			return;
		}

		const onResize = () => {
			setSize(read(stdout));
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed]);
	return fixed ?? size;
}
