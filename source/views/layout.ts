/** Screen geometry, shared by reducers (page sizes) and views (box sizes), so both agree. */

export type Size = {columns: number; rows: number};

/** Side by side from this width; stacked or single-pane below. */
export const WIDE_COLUMNS = 100;

export type Layout = {
	/** List and preview side by side. */
	wide: boolean;
	/** Narrow and tall enough: preview below the list. Narrow and short: list only (Tab shows the preview). */
	stacked: boolean;
	/** Root height: one row less than the terminal (G1: at full height Ink 6 clears the screen every frame, ink#450). */
	height: number;
	/** Rows between header and status bar + footer. */
	bodyRows: number;
	/** Visible rows of the session list (below its filter line and column header). */
	listRows: number;
	/** Rows for the preview when stacked. */
	previewRows: number;
	/** Width of the list pane. */
	listColumns: number;
	/** Width of the preview pane. */
	previewColumns: number;
};

export function computeLayout(size: Size): Layout {
	const columns = Math.max(20, size.columns);
	const height = Math.max(6, size.rows - 1);
	const bodyRows = Math.max(2, height - 3); // header, status bar, footer
	const wide = columns >= WIDE_COLUMNS;
	const stacked = !wide && bodyRows >= 20;
	const listBox = stacked ? Math.floor(bodyRows * 0.55) : bodyRows;
	const listRows = Math.max(1, listBox - 2); // filter/chips line + column header
	const listColumns = wide ? Math.floor(columns * 0.58) : columns;
	return {
		wide,
		stacked,
		height,
		bodyRows,
		listRows,
		previewRows: stacked ? bodyRows - listBox : bodyRows,
		listColumns,
		previewColumns: wide ? columns - listColumns - 1 : columns,
	};
}
