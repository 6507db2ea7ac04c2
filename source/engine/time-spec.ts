/**
 * Times on the command line (`--since`, `--until`, `--older-than`): an ISO 8601 date or date-time,
 * or a duration back from now (`90s`, `90m`, `12h`, `7d`, `2w`).
 */
import {SfsError} from './errors.js';

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000};
const DURATION = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds of a relative duration, or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
	const match = DURATION.exec(text.trim());
	if (!match) return undefined;
	return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
}

/** The instant `text` names: a duration counts back from `now`; a bare date is midnight UTC. */
export function parseTimeSpec(text: string, now: Date = new Date(), flag = 'time'): Date {
	const trimmed = text.trim();
	const duration = parseDuration(trimmed);
	if (duration !== undefined) return new Date(now.getTime() - duration);
	if (ISO_DATE.test(trimmed)) {
		const iso = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed.replace(' ', 'T');
		const time = Date.parse(iso);
		if (!Number.isNaN(time)) return new Date(time);
	}

	throw new SfsError('USAGE', `${flag}: cannot read ${JSON.stringify(text)} as a time`, {
		hint: 'use an ISO date like 2026-03-20 or 2026-03-20T14:00:00Z, or a duration like 90m, 12h, 7d, 2w',
	});
}
