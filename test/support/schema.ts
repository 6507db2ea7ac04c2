/**
 * Schema validation for tests: every message an adapter produces must be valid against the
 * `.sfs` message schema (JSON Schema 2020-12).
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type AjvInstance = import('ajv').default;
// ajv and ajv-formats are CommonJS; under NodeNext their default export may arrive wrapped once more.
const unwrap = <T>(value: unknown): T => ((value as {default?: T}).default ?? value) as T;

/** An ajv with formats, for JSON Schema 2020-12 (the .sfs schemas) or draft-07 (Copilot's event schema). */
export function createAjv(draft: '2020' | '07' = '2020'): AjvInstance {
	const AjvClass = unwrap<new (options: object) => AjvInstance>(draft === '2020' ? Ajv2020 : Ajv);
	const ajv = new AjvClass({allErrors: true, strict: false});
	unwrap<(instance: AjvInstance) => unknown>(addFormats)(ajv);
	return ajv;
}

const schemasDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

function loadSchema(name: string): Record<string, unknown> {
	return JSON.parse(fs.readFileSync(path.join(schemasDir, name), 'utf8')) as Record<string, unknown>;
}

const ajv = createAjv();
const messageValidator = ajv.compile(loadSchema('message.schema.json'));

export type ValidationResult = {valid: boolean; errors: string[]};

/** Validates one message; `errors` are one line each (`/content/0/text must be string`). */
export function validateMessage(message: unknown): ValidationResult {
	const valid = messageValidator(message) as boolean;
	const errors = valid ? [] : (messageValidator.errors ?? []).map(error => `${error.instancePath || '/'} ${error.message ?? 'invalid'}`);
	return {valid, errors};
}
