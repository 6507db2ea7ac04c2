/**
 * The arithmetic behind the patterns: entropy (is this random enough to be a key?), checksums that
 * tell a real card, IBAN or national id from a number that merely has the right shape, and the
 * placeholder test that keeps `password=changeme` and `${DB_PASSWORD}` from counting as secrets.
 */

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
	if (text.length === 0) return 0;
	const counts = new Map<string, number>();
	for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
	let bits = 0;
	for (const count of counts.values()) {
		const p = count / text.length;
		bits -= p * Math.log2(p);
	}

	return bits;
}

/** How many of lower case, upper case, digits and symbols occur. */
export function characterClasses(text: string): number {
	return [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter(re => re.test(text)).length;
}

/** Luhn mod 10 over the digits of `text` (other characters ignored). */
export function luhnValid(text: string): boolean {
	const digits = text.replaceAll(/\D/g, '');
	if (digits.length < 2) return false;
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let digit = Number(digits[digits.length - 1 - i]);
		if (i % 2 === 1) {
			digit *= 2;
			if (digit > 9) digit -= 9;
		}

		sum += digit;
	}

	return sum % 10 === 0;
}

/** IBAN lengths per country (ISO 13616 registry, the common ones). */
const IBAN_LENGTHS: Record<string, number> = {
	AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22, CY: 28, CZ: 24,
	DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27,
	GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LI: 21, LT: 20, LU: 20,
	LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25,
	QA: 29, RO: 24, RS: 22, SA: 24, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, TR: 26, UA: 29, VG: 24, XK: 20,
};

/** Country length and the ISO 7064 mod 97 check. */
export function ibanValid(text: string): boolean {
	const iban = text.replaceAll(/\s/g, '').toUpperCase();
	const expected = IBAN_LENGTHS[iban.slice(0, 2)];
	if (!expected || iban.length !== expected || !/^[A-Z]{2}\d{2}[A-Z\d]+$/.test(iban)) return false;
	const rearranged = iban.slice(4) + iban.slice(0, 4);
	let remainder = 0;
	for (const char of rearranged) {
		const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
		for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
	}

	return remainder === 1;
}

/** Dutch BSN: the "11-proof" (weights 9..2, last digit weight -1). */
export function bsnValid(text: string): boolean {
	const digits = text.replaceAll(/\D/g, '');
	if (digits.length !== 9) return false;
	let sum = 0;
	for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
	sum -= Number(digits[8]);
	return sum % 11 === 0 && sum !== 0;
}

/** Spanish DNI: the letter is the number mod 23 into a fixed table. */
export function dniValid(text: string): boolean {
	const match = /^(\d{8})-?([A-Z])$/.exec(text.toUpperCase());
	if (!match) return false;
	return 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(match[1]) % 23] === match[2];
}

/** French NIR (numéro de sécurité sociale): 13 digits and a key 97 - (n mod 97). Corsica's 2A/2B count as 19/18. */
export function nirValid(text: string): boolean {
	const compact = text.replaceAll(/\s/g, '').toUpperCase();
	const match = /^([12]\d{4}(?:\d{2}|2A|2B)\d{6})(\d{2})$/.exec(compact);
	if (!match) return false;
	const body = match[1]!.replace('2A', '19').replace('2B', '18');
	const key = 97 - Number(BigInt(body) % 97n);
	return key === Number(match[2]);
}

const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Italian codice fiscale: the 16th letter is a check character over the first 15. */
export function codiceFiscaleValid(text: string): boolean {
	const code = text.toUpperCase();
	if (!/^[A-Z\d]{15}[A-Z]$/.test(code)) return false;
	let sum = 0;
	for (let i = 0; i < 15; i++) {
		const char = code[i]!;
		const index = /\d/.test(char) ? Number(char) : char.charCodeAt(0) - 65;
		sum += i % 2 === 0 ? CF_ODD[index]! : index;
	}

	return String.fromCharCode(65 + (sum % 26)) === code[15];
}

const VERHOEFF_D = [
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
	[4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
	[8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
	[9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Verhoeff check digit (Indian Aadhaar). */
export function verhoeffValid(text: string): boolean {
	const digits = text.replaceAll(/\D/g, '');
	if (digits.length === 0) return false;
	let check = 0;
	for (let i = 0; i < digits.length; i++) check = VERHOEFF_D[check]![VERHOEFF_P[i % 8]![Number(digits[digits.length - 1 - i])]!]!;
	return check === 0;
}

const PLACEHOLDER_WORDS =
	/^(?:x+|\*+|\.+|-+|_+|#+|0+|1234.*|password\d*|passwd|pass|secret|changeme|change_me|example|sample|dummy|test(?:ing)?|placeholder|redacted|your[-_a-z]*|my[-_]?(?:password|secret|key|token)|none|null|undefined|true|false|admin|root|user(?:name)?|foo|bar|baz|abc\d*|qwerty|hunter2|letmein|todo|tbd|required|optional|string|str|value|env|default)$/i;

/**
 * True for values that stand for a secret rather than being one: template variables, shell and
 * env references, masks, angle-bracket placeholders, well-known dummy words, and code expressions.
 */
export function isPlaceholder(value: string): boolean {
	const trimmed = value.replace(/^["'`]|["'`]$/g, '');
	if (trimmed.length === 0) return true;
	if (PLACEHOLDER_WORDS.test(trimmed)) return true;
	if (/^\$\{?[A-Za-z_]/.test(trimmed) || /^%[A-Za-z_]+%$/.test(trimmed) || /\{\{.*\}\}/.test(trimmed) || /^<.*>$/.test(trimmed)) return true;
	if (/^\[.*\]$/.test(trimmed) || /^\(.*\)$/.test(trimmed)) return true;
	if (/REDACTED|EXAMPLE|example|XXXX|xxxx|\*\*\*|\.\.\.|…/.test(trimmed)) return true;
	// Code, not a literal: process.env.X, os.environ["X"], getenv("X"), config.password, self.password, args[0], f(x).
	if (/^(?:process\.env|os\.environ|env\.|getenv|config\.|settings\.|self\.|this\.|args|opts|options|params|req\.|request\.)/i.test(trimmed)) return true;
	if (/[()]/.test(trimmed) && /^[A-Za-z_$][\w$.]*\(/.test(trimmed)) return true;
	if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(trimmed)) return true;
	// One repeated character or a plain run like abcdefgh / 12345678.
	if (/^(.)\1+$/.test(trimmed)) return true;
	return false;
}

/** Looks random: long enough, enough entropy, and more than one kind of character. */
export function looksRandom(value: string, {minLength = 8, minEntropy = 3, minClasses = 2}: {minLength?: number; minEntropy?: number; minClasses?: number} = {}): boolean {
	if (value.length < minLength) return false;
	if (characterClasses(value) < minClasses) return false;
	return shannonEntropy(value) >= minEntropy;
}

/** Decodes base64url (JWT segments); undefined when it is not valid. */
export function decodeBase64Url(segment: string): string | undefined {
	try {
		const text = Buffer.from(segment.replaceAll('-', '+').replaceAll('_', '/'), 'base64').toString('utf8');
		return text.includes('\uFFFD') ? undefined : text;
	} catch {
		return undefined;
	}
}
