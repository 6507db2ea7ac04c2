/**
 * Schema validation for tests: every message an adapter produces must be valid against the
 * `.sfs` message schema (JSON Schema 2020-12).
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const schemasDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');

function loadSchema(name: string): Record<string, unknown> {
	return JSON.parse(fs.readFileSync(path.join(schemasDir, name), 'utf8')) as Record<string, unknown>;
}

// The default exports of ajv/ajv-formats are CommonJS; under NodeNext they may arrive wrapped.
const AjvClass = ((Ajv2020 as unknown as {default?: typeof Ajv2020}).default ?? Ajv2020) as typeof Ajv2020;
const applyFormats = ((addFormats as unknown as {default?: typeof addFormats}).default ?? addFormats) as typeof addFormats;

const ajv = new AjvClass({allErrors: true, strict: false});
applyFormats(ajv);
const messageValidator = ajv.compile(loadSchema('message.schema.json'));

export type ValidationResult = {valid: boolean; errors: string[]};

/** Validates one message; `errors` are one line each (`/content/0/text must be string`). */
export function validateMessage(message: unknown): ValidationResult {
	const valid = messageValidator(message) as boolean;
	const errors = valid ? [] : (messageValidator.errors ?? []).map(error => `${error.instancePath || '/'} ${error.message ?? 'invalid'}`);
	return {valid, errors};
}
