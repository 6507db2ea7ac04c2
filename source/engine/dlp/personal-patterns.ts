/**
 * Personal-data detectors. Numbers that only have a shape (a 9-digit id) need a context word or a
 * checksum; everything with a checksum (cards, IBANs, NIR, DNI, codice fiscale, Aadhaar, BSN, SIN) is
 * verified, so version strings, hashes and ids in coding sessions do not count.
 */
import {bsnValid, codiceFiscaleValid, dniValid, ibanValid, luhnValid, nirValid, verhoeffValid} from './checks.js';
import {contextBefore, type PatternSpec} from './pattern-types.js';

/** Addresses that name no person: documentation domains, no-reply senders, git remotes. */
const IMPERSONAL_EMAIL =
	/(?:@(?:[\w-]+\.)*(?:example\.(?:com|org|net)|example|test|invalid|localhost|local|users\.noreply\.github\.com)$|^(?:no-?reply|noreply|donotreply|do-not-reply|git|mailer-daemon|postmaster|root)@|@anthropic\.com$|@openai\.com$)/i;

export const PERSONAL_PATTERNS: PatternSpec[] = [
	{
		id: 'email',
		kind: 'personal',
		description: 'Email address',
		// After a literal `\n` (text that was escaped twice) the address starts after the escape, never at its `n`.
		regex: /(?:(?<=\\[nrt])|(?<![\w.+\\-]))(?<v>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-]|\.[A-Za-z])/dg,
		keywords: ['@'],
		validate(value, match, text) {
			if (IMPERSONAL_EMAIL.test(value)) return false;
			// git@github.com:owner/repo and user@host:path are remotes, not mailboxes.
			if (text[match.index + match[0].length] === ':' && /\S/.test(text[match.index + match[0].length + 1] ?? '')) return false;
			// package@1.2.3 and image@sha256 do not reach here (no letter TLD); file names like icon@2x.png do.
			return !/\.(?:png|jpe?g|gif|svg|webp|js|ts|css|json|md)$/i.test(value);
		},
	},
	{
		id: 'phone-international',
		kind: 'personal',
		description: 'Phone number in international (+country) form',
		regex: /(?<![\w+])(?<v>\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4})(?![\w.-]*\d)/dg,
		keywords: ['+'],
		validate(value) {
			const digits = value.replaceAll(/\D/g, '');
			return digits.length >= 10 && digits.length <= 15;
		},
	},
	{
		id: 'phone-us',
		kind: 'personal',
		description: 'North American phone number',
		regex: /(?<![\w.+-])(?<v>(?:1[ .-])?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4})(?![\w.-]*\d)/dg,
		validate(value, match, text) {
			// 555-0100..0199 are reserved fictional numbers; dotted triples next to more dots are versions or IPs.
			if (/555[ .-]01\d\d$/.test(value) || value.startsWith('1.')) return false;
			const before = text.slice(Math.max(0, match.index - 1), match.index);
			return !(value.includes('.') && /[\d.]/.test(before));
		},
	},
	{
		id: 'credit-card',
		kind: 'personal',
		description: 'Payment card number (Luhn-checked)',
		regex: /(?<![\d-])(?<v>3[47]\d{2}[ -]\d{6}[ -]\d{5}|(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|6011|65\d{2}|3[47]\d{2}|3[068]\d{2}|35\d{2})(?:[ -]?\d{4}){2}[ -]?\d{1,4}(?:[ -]?\d{1,3})?)(?![\d-])/dg,
		validate(value) {
			const digits = value.replaceAll(/\D/g, '');
			if (digits.length < 13 || digits.length > 19) return false;
			// Separators, when used, are used consistently (4-4-4-4 or 4-6-5); a bare 16-digit number must still pass Luhn.
			if (/^(\d)\1+$/.test(digits)) return false;
			return luhnValid(digits);
		},
	},
	{
		id: 'iban',
		kind: 'personal',
		description: 'IBAN (mod 97 checked)',
		regex: /\b(?<v>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b/dg,
		validate: value => ibanValid(value),
	},
	{
		id: 'us-ssn',
		kind: 'personal',
		description: 'US Social Security number',
		regex: /(?<![\w-])(?<v>(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\2(?!0000)\d{4})(?![\w-])/dg,
		validate(value, match, text) {
			// The dashed form is distinctive; with spaces it needs a context word.
			if (value.includes('-')) return !/^(?:123-45-6789|078-05-1120|219-09-9999)$/.test(value);
			return contextBefore(text, match.index, /\b(?:ssn|social security|soc\.? sec)/i);
		},
	},
	{
		id: 'uk-nino',
		kind: 'personal',
		description: 'UK National Insurance number',
		regex: /\b(?<v>(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D])\b/dg,
		validate: (value, match, text) => /\s/.test(value) || contextBefore(text, match.index, /\b(?:ni|nino|national insurance)\b/i, 60),
	},
	{
		id: 'fr-nir',
		kind: 'personal',
		description: 'French social security number (NIR)',
		regex: /\b(?<v>[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2})\b/dg,
		validate: value => nirValid(value),
	},
	{
		id: 'es-dni',
		kind: 'personal',
		description: 'Spanish national id (DNI)',
		regex: /\b(?<v>\d{8}-?[TRWAGMYFPDXBNJZSQVHLCKE])\b/dg,
		validate: value => dniValid(value),
	},
	{
		id: 'it-codice-fiscale',
		kind: 'personal',
		description: 'Italian tax code (codice fiscale)',
		regex: /\b(?<v>[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z])\b/dg,
		validate: value => codiceFiscaleValid(value),
	},
	{
		id: 'nl-bsn',
		kind: 'personal',
		description: 'Dutch citizen service number (BSN)',
		regex: /\b(?:bsn|burgerservicenummer)\b\D{0,20}(?<v>\d{9}|\d{4}\.\d{2}\.\d{3})\b/dgi,
		keywords: ['bsn', 'burgerservicenummer'],
		validate: value => bsnValid(value),
	},
	{
		id: 'ca-sin',
		kind: 'personal',
		description: 'Canadian social insurance number',
		regex: /\b(?:sin|social insurance)\b\D{0,20}(?<v>\d{3}[ -]?\d{3}[ -]?\d{3})\b/dgi,
		keywords: ['sin', 'social insurance'],
		validate: value => luhnValid(value),
	},
	{
		id: 'in-aadhaar',
		kind: 'personal',
		description: 'Indian Aadhaar number (Verhoeff checked)',
		regex: /(?<![\d-])(?<v>[2-9]\d{3}[ -]\d{4}[ -]\d{4})(?![\d-])/dg,
		keywords: ['aadhaar', 'aadhar', 'uidai', 'uid'],
		// One in ten 4-4-4 digit groups passes Verhoeff by chance: a context word is required too.
		validate: (value, match, text) => verhoeffValid(value) && contextBefore(text, match.index, /\b(?:aadhaa?r|uidai|uid)\b/i, 40),
	},
	{
		id: 'date-of-birth',
		kind: 'personal',
		description: 'Date of birth',
		regex: /\b(?:dob|d\.o\.b\.|date of birth|birth ?date|born(?: on)?|geburtsdatum|date de naissance)["']?\s*[:=]?\s*["']?(?<v>(?:19|20)\d{2}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.](?:19|20)?\d{2})\b/dgi,
		keywords: ['dob', 'd.o.b', 'birth', 'born', 'geburtsdatum', 'naissance'],
	},
	{
		id: 'passport-number',
		kind: 'personal',
		description: 'Passport number (with the word passport)',
		regex: /\bpassport(?:\s*(?:no\.?|number|num|#))?["']?\s*[:=#]?\s*["']?(?<v>[A-Z0-9]{6,9})\b/dgi,
		keywords: ['passport'],
		validate: value => /\d/.test(value) && /^[A-Z0-9]+$/.test(value),
	},
];
