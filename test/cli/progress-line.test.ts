/**
 * The progress line of long commands (capture, export --all) on stderr: one self-overwriting line,
 * redrawn at most every 80 ms but always at the end, and cleared by done().
 */
import {afterEach, expect, test, vi} from 'vitest';
import {progressLine} from '../../source/output.js';

afterEach(() => {
	vi.restoreAllMocks();
	vi.useRealTimers();
});

test('draws label, bar and counts in place, skips redraws within 80 ms but not the last, and clears', () => {
	vi.useFakeTimers({now: 1_000_000});
	const written: string[] = [];
	vi.spyOn(process.stderr, 'write').mockImplementation(chunk => {
		written.push(String(chunk));
		return true;
	});
	const progress = progressLine();
	progress.update('dlp check', 0, 4);
	progress.update('dlp check', 1, 4); // within 80 ms: skipped
	vi.advanceTimersByTime(100);
	progress.update('dlp check', 2, 4);
	progress.update('packing', 4, 4); // the end is always drawn
	progress.done();
	expect(written).toEqual([
		`\r\u001B[2Kdlp check    [${'.'.repeat(24)}] 0/4`,
		`\r\u001B[2Kdlp check    [${'#'.repeat(12)}${'.'.repeat(12)}] 2/4`,
		`\r\u001B[2Kpacking      [${'#'.repeat(24)}] 4/4`,
		'\r\u001B[2K',
	]);
});
