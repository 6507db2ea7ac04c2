export type FindingKind = 'secret' | 'personal';

/**
 * One detector. `regex` must be global with the `d` flag; the sensitive part is the named group `v`
 * when there is one, else the whole match. `keywords` (lower case) is a cheap prefilter: the regex
 * runs only on text containing one of them. `reveal` is how many leading characters are a public,
 * fixed prefix (`AKIA`, `ghp_`) that a masked excerpt may show.
 */
export type PatternSpec = {
	id: string;
	kind: FindingKind;
	description: string;
	regex: RegExp;
	keywords?: string[];
	reveal?: number;
	validate?: (value: string, match: RegExpExecArray, text: string) => boolean;
};

/** True when one of `words` occurs within `window` characters before `index` (case-insensitive). */
export function contextBefore(text: string, index: number, words: RegExp, window = 40): boolean {
	return words.test(text.slice(Math.max(0, index - window), index));
}
