/**
 * A generated corpus of real-looking secrets and personal data: each value has the exact shape the
 * issuer uses (prefix, length, alphabet, checksum) and random content from a seeded generator, so the
 * corpus is the same on every run and no real credential is in the repository.
 */
let seed = 0x5f3759df;

export function reseed(value = 0x5f3759df): void {
	seed = value;
}

function next(): number {
	// xorshift32
	seed ^= seed << 13;
	seed ^= seed >>> 17;
	seed ^= seed << 5;
	return (seed >>> 0) / 2 ** 32;
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const HEX = '0123456789abcdef';
export const B64 = `${ALNUM}+/`;
export const URLSAFE = `${ALNUM}_-`;

export function random(alphabet: string, length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
	return out;
}

export function digits(length: number): string {
	return random('0123456789', length);
}

function luhnDigit(body: string): string {
	let sum = 0;
	for (let i = 0; i < body.length; i++) {
		let digit = Number(body[body.length - 1 - i]);
		if (i % 2 === 0) {
			digit *= 2;
			if (digit > 9) digit -= 9;
		}

		sum += digit;
	}

	return String((10 - (sum % 10)) % 10);
}

export function cardNumber(prefix: string, length = 16): string {
	const body = prefix + digits(length - prefix.length - 1);
	return body + luhnDigit(body);
}

export function iban(country: string, bban: string): string {
	const rearranged = `${bban}${country}00`;
	let remainder = 0;
	for (const char of rearranged) {
		const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
		for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
	}

	const check = String(98 - remainder).padStart(2, '0');
	return `${country}${check}${bban}`;
}

export function nir(): string {
	const body = `1${digits(2)}0${1 + Math.floor(next() * 9)}75${digits(6)}`;
	const key = String(97 - Number(BigInt(body) % 97n)).padStart(2, '0');
	return body + key;
}

export function dni(): string {
	const number = digits(8);
	return number + 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(number) % 23];
}

export function bsn(): string {
	for (;;) {
		const body = digits(8);
		let sum = 0;
		for (let i = 0; i < 8; i++) sum += Number(body[i]) * (9 - i);
		const last = sum % 11;
		if (last < 10 && sum !== 0 && body[0] !== '0') return body + String(last);
	}
}

const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
export function codiceFiscale(): string {
	const body = `${random('BCDFGHLMNPRSTVZ', 6)}${digits(2)}${'ABCDEHLMPRST'[Math.floor(next() * 12)]}${String(1 + Math.floor(next() * 28)).padStart(2, '0')}F${digits(3)}`;
	let sum = 0;
	for (let i = 0; i < 15; i++) {
		const char = body[i]!;
		const index = /\d/.test(char) ? Number(char) : char.charCodeAt(0) - 65;
		sum += i % 2 === 0 ? CF_ODD[index]! : index;
	}

	return body + String.fromCharCode(65 + (sum % 26));
}

const D = [[0,1,2,3,4,5,6,7,8,9],[1,2,3,4,0,6,7,8,9,5],[2,3,4,0,1,7,8,9,5,6],[3,4,0,1,2,8,9,5,6,7],[4,0,1,2,3,9,5,6,7,8],[5,9,8,7,6,0,4,3,2,1],[6,5,9,8,7,1,0,4,3,2],[7,6,5,9,8,2,1,0,4,3],[8,7,6,5,9,3,2,1,0,4],[9,8,7,6,5,4,3,2,1,0]];
const P = [[0,1,2,3,4,5,6,7,8,9],[1,5,7,6,2,8,3,0,9,4],[5,8,0,3,7,9,6,1,4,2],[8,9,1,6,0,4,3,5,2,7],[9,4,5,3,1,2,6,8,7,0],[4,2,8,6,5,7,3,9,0,1],[2,7,9,3,8,0,6,4,1,5],[7,0,4,6,9,1,3,2,5,8]];
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];
export function aadhaar(): string {
	const body = `${2 + Math.floor(next() * 8)}${digits(10)}`;
	let check = 0;
	for (let i = 0; i < body.length; i++) check = D[check]![P[(i + 1) % 8]![Number(body[body.length - 1 - i])]!]!;
	const full = body + String(INV[check]);
	return `${full.slice(0, 4)} ${full.slice(4, 8)} ${full.slice(8)}`;
}

export function sin(): string {
	const body = `${1 + Math.floor(next() * 7)}${digits(7)}`;
	return body + luhnDigit(body);
}

function base64url(text: string): string {
	return Buffer.from(text).toString('base64url');
}

export function jwt(): string {
	const header = base64url(JSON.stringify({alg: 'HS256', typ: 'JWT'}));
	const payload = base64url(JSON.stringify({sub: random(HEX, 12), iat: 1_760_000_000 + Math.floor(next() * 1e6), scope: 'read write'}));
	return `${header}.${payload}.${random(URLSAFE, 43)}`;
}

export function pemBody(lines = 6): string {
	const out: string[] = [];
	for (let i = 0; i < lines; i++) out.push(random(B64, 64));
	return out.join('\n');
}

export function opensshBody(): string {
	return `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n${pemBody(4)}`;
}
