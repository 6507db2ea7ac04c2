/**
 * "did you mean" for an unknown command: a command the word begins (pul → pull, not push), else the
 * closest by edits, a swap of two neighbours counting as one (lsit → list, shwo → show).
 */
export function nearestCommand(word: string, names: string[]): string | undefined {
	const prefixed = names.filter(name => name.startsWith(word)).sort((a, b) => a.length - b.length);
	if (prefixed.length > 0) return prefixed[0];
	let best: {name: string; distance: number} | undefined;
	for (const name of names) {
		const distance = editDistance(word, name);
		if (distance <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) && (!best || distance < best.distance)) best = {name, distance};
	}

	return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
	const rows = Array.from({length: a.length + 1}, (_row, i) => Array.from({length: b.length + 1}, (_cell, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			rows[i]![j] = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i]![j] = Math.min(rows[i]![j]!, rows[i - 2]![j - 2]! + 1);
		}
	}

	return rows[a.length]![b.length]!;
}
