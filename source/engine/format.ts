/**
 * The `.sfs` format: validation against the SessionFS v0.1.0 JSON Schemas (shipped in `schemas/`),
 * session ids, and the version check.
 */
import {hash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {ValidateFunction} from 'ajv';
import {SfsError} from './errors.js';
import {SFS_VERSION} from './types.js';

export type SchemaName = 'manifest' | 'message' | 'workspace' | 'tools';

/** `schemas/` sits two levels above this file both in `source/engine/` and in `dist/engine/`. */
export const schemasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

let ajvInstance: import('ajv').default | undefined;
const validators = new Map<SchemaName, ValidateFunction>();

async function loadAjv(): Promise<import('ajv').default> {
	if (ajvInstance) return ajvInstance;
	// ajv and ajv-formats are CommonJS; under NodeNext their default export may arrive wrapped once more.
	const ajvModule = (await import('ajv/dist/2020.js')) as unknown as {default: unknown};
	const formatsModule = (await import('ajv-formats')) as unknown as {default: unknown};
	const unwrap = (value: unknown) => ((value as {default?: unknown}).default ?? value) as never;
	const Ajv2020: new (options: object) => import('ajv').default = unwrap(ajvModule.default);
	const addFormats: (ajv: unknown) => void = unwrap(formatsModule.default);
	// validateSchema: false: our own shipped schemas need no check against the 2020-12 meta-schema, whose
	// compilation alone cost ~100 ms of every capture that writes anything (the incremental append).
	const ajv = new Ajv2020({allErrors: false, strict: false, validateSchema: false});
	addFormats(ajv);
	ajvInstance = ajv;
	return ajv;
}

/**
 * Each schema is compiled on its first use: compiling all four costs a few hundred ms, and a capture
 * only ever validates messages (the bench's incremental append pays for one schema, not four).
 */
function validatorFor(schema: SchemaName): ValidateFunction {
	if (!ajvInstance) throw new Error('prepareValidation() was not called');
	let validate = validators.get(schema);
	if (!validate) {
		validate = ajvInstance.compile(JSON.parse(fs.readFileSync(path.join(schemasDir, `${schema}.schema.json`), 'utf8')) as object);
		validators.set(schema, validate);
	}

	return validate;
}

/** Loads the validator library once; call before the synchronous `validate`. */
export async function prepareValidation(): Promise<void> {
	await loadAjv();
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
