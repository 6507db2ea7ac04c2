/**
 * The build's precompiled validators (schema-standalone.ts → dist/engine/schema-validators.cjs) accept
 * and refuse exactly what ajv compiling the shipped schemas at run time does, with the same first error
 * (firstViolation reports it): on the spec's fixture sessions and on many broken variants of them.
 */
import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, test} from 'vitest';
import {
	createSchemaAjv,
	loadPrecompiledValidators,
	PRECOMPILED_VALIDATORS_FILE,
	type PrecompiledValidators,
	readSchema,
	SCHEMA_NAMES,
	type SchemaName,
	type Validator,
} from '../../source/engine/format.js';
import {standaloneValidatorsCode} from '../../source/engine/schema-standalone.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'sfs-spec');
/** Where this repo's packages are found (the generated module requires ajv-formats). */
const repoNodeModules = path.dirname(path.dirname(createRequire(import.meta.url).resolve('ajv-formats/package.json')));

type Case = {schema: SchemaName; label: string; value: unknown};

let code: string;
let precompiled: PrecompiledValidators;
const compiled = new Map<SchemaName, Validator>();
const temps: string[] = [];

beforeAll(async () => {
	code = await standaloneValidatorsCode();
	const module = {exports: {} as Record<string, unknown>};
	// eslint-disable-next-line no-new-func -- the generated module, evaluated as CommonJS with this repo's require
	new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(import.meta.url));
	precompiled = module.exports as unknown as PrecompiledValidators;
	const ajv = await createSchemaAjv();
	for (const name of SCHEMA_NAMES) compiled.set(name, ajv.compile(readSchema(name)) as Validator);
}, 60_000);

afterEach(() => {
	for (const dir of temps.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function fixtureCases(): Case[] {
	const cases: Case[] = [];
	for (const session of fs.readdirSync(fixtures).filter(name => fs.statSync(path.join(fixtures, name)).isDirectory())) {
		const dir = path.join(fixtures, session);
		cases.push({schema: 'manifest', label: `${session}/manifest`, value: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))});
		for (const name of ['workspace', 'tools'] as const) {
			const file = path.join(dir, `${name}.json`);
			if (fs.existsSync(file)) cases.push({schema: name, label: `${session}/${name}`, value: JSON.parse(fs.readFileSync(file, 'utf8'))});
		}

		const lines = fs.readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').split('\n').filter(line => line.trim());
		for (const [index, line] of lines.entries()) cases.push({schema: 'message', label: `${session}/message ${index + 1}`, value: JSON.parse(line)});
	}

	return cases;
}

/** Wrong values tried in place of every property, at every depth. */
const REPLACEMENTS: unknown[] = [null, 42, -1, 1.5, 'text', '', 'not a date', true, [], [1], {}, {unexpected: 1}];

/** Every property removed, replaced by each wrong value, and an unknown property added to every object. */
function variants(value: unknown, at: string[] = []): Array<{path: string; value: unknown}> {
	const out: Array<{path: string; value: unknown}> = [];
	const rebuild = (replace: (node: unknown) => unknown): unknown => setAt(value, at, replace);
	const node = getAt(value, at);
	if (node && typeof node === 'object') {
		if (!Array.isArray(node)) out.push({path: `${at.join('/')}/+extra`, value: rebuild(current => ({...(current as object), sfs_unknown_property: 1}))});
		for (const key of Object.keys(node)) {
			const child = [...at, key];
			if (!Array.isArray(node)) {
				out.push({path: `${child.join('/')} removed`, value: rebuild(current => omit(current as Record<string, unknown>, key))});
			}

			for (const replacement of REPLACEMENTS) out.push({path: `${child.join('/')} = ${JSON.stringify(replacement)}`, value: setAt(value, child, () => replacement)});
			out.push(...variants(value, child));
		}
	}

	return out;
}

function getAt(value: unknown, at: string[]): unknown {
	return at.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
}

function setAt(value: unknown, at: string[], replace: (node: unknown) => unknown): unknown {
	if (at.length === 0) return replace(value);
	const [key, ...rest] = at;
	const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : {...(value as Record<string, unknown>)};
	(copy as Record<string, unknown>)[key!] = setAt((value as Record<string, unknown>)[key!], rest, replace);
	return copy;
}

function omit(value: Record<string, unknown>, key: string): Record<string, unknown> {
	const {[key]: _removed, ...rest} = value;
	return rest;
}

/** Validity and the first error, as firstViolation reads them. */
function verdict(validate: Validator, value: unknown): {valid: boolean; first?: unknown} {
	const valid = validate(value);
	const error = validate.errors?.[0];
	return valid ? {valid} : {valid, first: error && {keyword: error.keyword, instancePath: error.instancePath, message: error.message, params: error.params}};
}

describe('precompiled schema validators', () => {
	test('the generated module has a validator per schema and the schemas fingerprint', () => {
		for (const name of SCHEMA_NAMES) expect(typeof precompiled[name]).toBe('function');
		expect(precompiled.schemasFingerprint).toMatch(/^[0-9a-f]{64}$/);
		// No ajv at run time: the only thing the module loads is ajv-formats' format table.
		expect(code.match(/require\("[^"]+"\)/g)?.sort()).toEqual(['require("ajv-formats/dist/formats")']);
	});

	test('the spec fixture sessions are valid for both', () => {
		const cases = fixtureCases();
		expect(cases.length).toBeGreaterThan(20);
		for (const {schema, label, value} of cases) {
			expect(verdict(precompiled[schema], value), label).toEqual({valid: true});
			expect(verdict(compiled.get(schema)!, value), label).toEqual({valid: true});
		}
	});

	test('broken variants of every fixture file are refused (or accepted) alike, with the same first error', () => {
		let refused = 0;
		let total = 0;
		for (const fixture of fixtureCases()) {
			for (const variant of variants(fixture.value)) {
				const label = `${fixture.label}: ${variant.path}`;
				const expected = verdict(compiled.get(fixture.schema)!, variant.value);
				expect(verdict(precompiled[fixture.schema], variant.value), label).toEqual(expected);
				total++;
				if (!expected.valid) refused++;
			}
		}

		// Not a vacuous comparison: thousands of variants, most of them refused, some accepted.
		expect(total).toBeGreaterThan(2000);
		expect(refused).toBeGreaterThan(total / 2);
		expect(refused).toBeLessThan(total);
	});

	test('hand-made bad values are refused by both', () => {
		const good = fixtureCases().find(entry => entry.schema === 'message')!.value as Record<string, unknown>;
		const manifest = fixtureCases().find(entry => entry.schema === 'manifest')!.value as Record<string, unknown>;
		const bad: Case[] = [
			{schema: 'message', label: 'not an object', value: 'hello'},
			{schema: 'message', label: 'array', value: [good]},
			{schema: 'message', label: 'unknown role', value: {...good, role: 'robot'}},
			{schema: 'message', label: 'timestamp not a date-time', value: {...good, timestamp: '2026-13-45 25:61'}},
			{schema: 'message', label: 'content block without type', value: {...good, content: [{text: 'x'}]}},
			{schema: 'message', label: 'no content blocks', value: {...good, content: []}},
			{schema: 'message', label: 'no timestamp', value: omit(good, 'timestamp')},
			{schema: 'manifest', label: 'wrong version', value: {...manifest, sfs_version: '9.9.9'}},
			{schema: 'manifest', label: 'created_at not a date-time', value: {...manifest, created_at: 'yesterday'}},
			{schema: 'manifest', label: 'tags not strings', value: {...manifest, tags: [1, 2]}},
			{schema: 'workspace', label: 'workspace as a string', value: '/home/me'},
			{schema: 'tools', label: 'tools as a number', value: 7},
		];
		for (const {schema, label, value} of bad) {
			const expected = verdict(compiled.get(schema)!, value);
			expect(expected.valid, label).toBe(false);
			expect(verdict(precompiled[schema], value), label).toEqual(expected);
		}
	});
});

describe('loadPrecompiledValidators', () => {
	/** The generated module in a folder of its own that resolves this repo's packages, as dist/engine does. */
	function writeModule(text: string): string {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-validators-'));
		temps.push(dir);
		fs.symlinkSync(repoNodeModules, path.join(dir, 'node_modules'), 'dir');
		const file = path.join(dir, PRECOMPILED_VALIDATORS_FILE);
		fs.writeFileSync(file, text);
		return file;
	}

	test('loads the built module when it was built from the shipped schemas', () => {
		const loaded = loadPrecompiledValidators(writeModule(code));
		expect(loaded).toBeDefined();
		expect(loaded!.message({msg_id: 'm1', role: 'user', content: [{type: 'text', text: 'hi'}], timestamp: '2026-03-20T10:00:00.000Z'})).toBe(true);
		expect(loaded!.message({msg_id: 'm1', role: 'robot', content: []})).toBe(false);
	});

	test('ignores a module built from other schemas, a broken one, and a missing one', () => {
		const stale = code.replace(/exports\.schemasFingerprint = "[0-9a-f]+"/, 'exports.schemasFingerprint = "0000"');
		expect(stale).not.toBe(code);
		expect(loadPrecompiledValidators(writeModule(stale))).toBeUndefined();
		expect(loadPrecompiledValidators(writeModule('throw new Error("broken build")'))).toBeUndefined();
		expect(loadPrecompiledValidators(path.join(os.tmpdir(), 'sfs-no-such-dir', PRECOMPILED_VALIDATORS_FILE))).toBeUndefined();
	});
});
