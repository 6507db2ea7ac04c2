/**
 * The `.sfs` format: validation against the SessionFS v0.1.0 JSON Schemas (shipped in `schemas/`),
 * session ids, and the version check.
 */
import {createHash, hash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {ErrorObject} from 'ajv';
import {SfsError} from './errors.js';
import {SFS_VERSION} from './types.js';

export type SchemaName = 'manifest' | 'message' | 'workspace' | 'tools';

export const SCHEMA_NAMES: readonly SchemaName[] = ['manifest', 'message', 'workspace', 'tools'];

/**
 * How the schemas are compiled, here and by the build's precompiled validators (schema-standalone.ts).
 * validateSchema: false: our own shipped schemas need no check against the 2020-12 meta-schema, whose
 * compilation alone cost ~100 ms of every capture that writes anything (the incremental append).
 */
export const AJV_OPTIONS = {allErrors: false, strict: false, validateSchema: false} as const;

/** `schemas/` sits two levels above this file both in `source/engine/` and in `dist/engine/`. */
export const schemasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

/** The build writes the precompiled validators next to this module (scripts/build-validators.mjs). */
export const PRECOMPILED_VALIDATORS_FILE = 'schema-validators.cjs';

export type Validator = ((value: unknown) => boolean) & {errors?: ErrorObject[] | null};

/** What the precompiled module exports: a validator per schema and the fingerprint of the schemas it was built from. */
export type PrecompiledValidators = Record<SchemaName, Validator> & {schemasFingerprint: string};

const validators = new Map<SchemaName, Validator>();
/** Compiles a schema at run time; undefined while prepareValidation() has not run or when the precompiled validators are used. */
let compileSchema: ((schema: SchemaName) => Validator) | undefined;

/** A digest of the shipped schema files: precompiled validators built from other schemas are not used. */
export function schemasFingerprint(dir = schemasDir): string {
	const digest = createHash('sha256');
	for (const name of SCHEMA_NAMES) digest.update(name).update('\u0000').update(fs.readFileSync(path.join(dir, `${name}.schema.json`)));
	return digest.digest('hex');
}

/**
 * The build's precompiled validators (a module of plain functions: no ajv to load, no schema to
 * compile, ~5 ms instead of ~130 ms at a capture's first write). Undefined when the file is not there
 * (running from source: tests, tsx) or was built from other schemas.
 */
export function loadPrecompiledValidators(file = fileURLToPath(new URL(`./${PRECOMPILED_VALIDATORS_FILE}`, import.meta.url))): PrecompiledValidators | undefined {
	if (!fs.existsSync(file)) return undefined;
	try {
		const loaded = createRequire(import.meta.url)(file) as Partial<PrecompiledValidators>;
		if (loaded.schemasFingerprint !== schemasFingerprint()) return undefined;
		return SCHEMA_NAMES.every(name => typeof loaded[name] === 'function') ? (loaded as PrecompiledValidators) : undefined;
	} catch {
		return undefined;
	}
}

/** Loads ajv with the formats the schemas use. */
export async function createSchemaAjv(options: object = {}): Promise<import('ajv').default> {
	// ajv and ajv-formats are CommonJS; under NodeNext their default export may arrive wrapped once more.
	const ajvModule = (await import('ajv/dist/2020.js')) as unknown as {default: unknown};
	const formatsModule = (await import('ajv-formats')) as unknown as {default: unknown};
	const unwrap = (value: unknown) => ((value as {default?: unknown}).default ?? value) as never;
	const Ajv2020: new (options: object) => import('ajv').default = unwrap(ajvModule.default);
	const addFormats: (ajv: unknown) => void = unwrap(formatsModule.default);
	const ajv = new Ajv2020({...AJV_OPTIONS, ...options});
	addFormats(ajv);
	return ajv;
}

export function readSchema(schema: SchemaName, dir = schemasDir): object {
	return JSON.parse(fs.readFileSync(path.join(dir, `${schema}.schema.json`), 'utf8')) as object;
}

/**
 * Without precompiled validators, each schema is compiled on its first use: compiling all four costs a
 * few hundred ms, and a capture only ever validates messages and manifests.
 */
function validatorFor(schema: SchemaName): Validator {
	let validate = validators.get(schema);
	if (!validate) {
		if (!compileSchema) throw new Error('prepareValidation() was not called');
		validate = compileSchema(schema);
		validators.set(schema, validate);
	}

	return validate;
}

/** Loads the validators once (precompiled by the build, else ajv); call before the synchronous `validate`. */
export async function prepareValidation(): Promise<void> {
	if (compileSchema || validators.size > 0) return;
	const precompiled = loadPrecompiledValidators();
	if (precompiled) {
		for (const name of SCHEMA_NAMES) validators.set(name, precompiled[name]);
		return;
	}

	const ajv = await createSchemaAjv();
	compileSchema ??= schema => ajv.compile(readSchema(schema)) as Validator;
}

/** Returns the first violation as one line, or undefined when valid. `prepareValidation()` must have run. */
export function firstViolation(schema: SchemaName, value: unknown): string | undefined {
	const validate = validatorFor(schema);
	if (validate(value)) return undefined;
	const error = validate.errors?.[0];
	if (!error) return `${schema}: invalid`;
	const where = error.instancePath || '(root)';
	const extra = error.params && 'additionalProperty' in error.params ? ` '${String(error.params.additionalProperty)}'` : '';
	return `${schema} ${where}: ${error.message ?? 'invalid'}${extra}`;
}

export function assertValid(schema: SchemaName, value: unknown, context: string): void {
	const violation = firstViolation(schema, value);
	if (violation) throw new SfsError('INVALID_SESSION', `${context}: ${violation}`, {hint: 'the session does not follow the .sfs v0.1.0 schema'});
}

export function checkVersion(manifest: {sfs_version?: unknown}, context: string): void {
	if (manifest.sfs_version !== SFS_VERSION) {
		throw new SfsError('UNSUPPORTED_VERSION', `${context}: unsupported sfs_version ${JSON.stringify(manifest.sfs_version ?? null)}`, {
			hint: `this sfs reads version ${SFS_VERSION}`,
		});
	}
}

const SESSION_ID = /^ses_[0-9a-f]{16}$/;

export function isSfsSessionId(id: string): boolean {
	return SESSION_ID.test(id);
}

/** A fresh id for sessions sfs creates (forks, checkpoints restored, imports without an id). */
export function newSessionId(): string {
	return `ses_${randomBytes(8).toString('hex')}`;
}

/** The id of a captured native session: stable, so a re-capture or a second machine finds the same session. */
export function sessionIdForNative(tool: string, nativeId: string): string {
	// crypto.hash: the same digest as createHash without a Hash object (capture derives one per native session, 10,000 a rescan).
	return `ses_${hash('sha256', `${tool}\u0000${nativeId}`, 'hex').slice(0, 16)}`;
}

/** Session ids become directory names: refuse anything that could escape the store. */
export function isSafeSessionId(id: string): boolean {
	return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes('..');
}
