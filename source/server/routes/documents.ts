/**
 * Synced documents: a project's canonical rules and its context, per user or per org (`org` = a name
 * the caller is a member of), keyed by the project. Writes are compare-and-set: If-Match the etag
 * last seen, If-None-Match: * to create, neither to overwrite (forced). A stale write answers 412.
 */
import type {FastifyRequest} from 'fastify';
import {isRulesTool} from '../../engine/rules/tools.js';
import {sha256Hex} from '../credentials.js';
import type {DocumentKind, DocumentRecord} from '../storage.js';
import {type Caller, etagHeader, HttpError, now, objectBody, type RouteContext, stringField} from './common.js';
import {membership} from './orgs.js';

const KINDS: DocumentKind[] = ['rules', 'project'];
const MAX_CONTENT = 1024 * 1024;
const PROJECT_KEY = /^(remote|dir):[^\u0000-\u001f]{1,1000}$/;
const RULE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.md$/;

type Scope = {scopeId: string; org: string | null};

export function registerDocumentRoutes(context: RouteContext): void {
	const {app, storage} = context;

	async function scopeOf(caller: Caller, org: unknown): Promise<Scope> {
		if (org === undefined || org === null || org === '') return {scopeId: caller.user.id, org: null};
		const found = await membership(context, caller, org);
		return {scopeId: found.org.id, org: found.org.name};
	}

	async function publicDocument(row: DocumentRecord, scope: Scope, withContent: boolean) {
		const author = await storage.userById(row.updated_by);
		return {kind: row.kind, project: row.project_key, org: scope.org, etag: row.etag, updated_at: row.updated_at, updated_by: author?.email ?? null, ...(withContent ? {content: row.content} : {})};
	}

	app.get<{Querystring: {org?: string}}>('/api/v1/docs', async request => {
		const caller = await context.authenticate(request);
		const scope = await scopeOf(caller, request.query.org);
		return Promise.all((await storage.documents(scope.scopeId)).map(async row => publicDocument(row, scope, false)));
	});

	app.get<{Params: {kind: string}; Querystring: {project?: string; org?: string}}>('/api/v1/docs/:kind', async (request, reply) => {
		const caller = await context.authenticate(request);
		const kind = kindOf(request.params.kind);
		const project = projectOf(request.query.project);
		const scope = await scopeOf(caller, request.query.org);
		const row = await storage.document(scope.scopeId, kind, project);
		if (!row) throw new HttpError(404, 'NO_DOCUMENT', `no ${kind} for ${project}${scope.org ? ` in ${scope.org}` : ''} on this server`);
		return reply.header('etag', `"${row.etag}"`).send(await publicDocument(row, scope, true));
	});

	app.put<{Params: {kind: string}}>('/api/v1/docs/:kind', async (request, reply) => {
		const caller = await context.authenticate(request);
		const kind = kindOf(request.params.kind);
		const body = objectBody(request.body);
		const project = projectOf(body.project);
		const scope = await scopeOf(caller, body.org);
		const content = contentOf(kind, body.content);
		const expected = preconditionOf(request);
		const etag = sha256Hex(content);
		const record: DocumentRecord = {scope_id: scope.scopeId, kind, project_key: project, content, etag, updated_at: now(), updated_by: caller.user.id};
		const before = await storage.document(scope.scopeId, kind, project);
		// The same content is no conflict, whatever version the writer last saw.
		if (before?.etag === etag) {
			return reply.header('etag', `"${etag}"`).send({...(await publicDocument(before, scope, false)), changed: false});
		}

		if (!(await storage.putDocument(record, expected))) {
			throw new HttpError(412, 'CHANGED', `the server's ${kind} for ${project} changed since you last pulled them: pull first, or push with --force`);
		}

		return reply
			.code(before ? 200 : 201)
			.header('etag', `"${etag}"`)
			.send({...(await publicDocument(record, scope, false)), changed: true});
	});
}

function kindOf(value: string): DocumentKind {
	if (!KINDS.includes(value as DocumentKind)) throw new HttpError(404, 'NOT_FOUND', `no document kind ${JSON.stringify(value)} (rules, project)`);
	return value as DocumentKind;
}

function projectOf(value: unknown): string {
	const key = stringField(value, 'project', 1005);
	if (!PROJECT_KEY.test(key)) throw new HttpError(400, 'BAD_REQUEST', 'project must be remote:<git remote> or dir:<directory name>');
	return key;
}

/** If-Match: only over that version; If-None-Match: * only when absent; neither: unconditional. */
function preconditionOf(request: FastifyRequest): string | null | undefined {
	const ifMatch = etagHeader(request.headers['if-match']);
	if (ifMatch && ifMatch !== '*') return ifMatch;
	if (etagHeader(request.headers['if-none-match']) === '*') return undefined;
	return null;
}

/** Project context: Markdown text. Rules: the JSON text of {tools, files: [{name, text}]}, checked. */
function contentOf(kind: DocumentKind, value: unknown): string {
	if (typeof value !== 'string' || value.length > MAX_CONTENT) throw new HttpError(400, 'BAD_REQUEST', `content must be a string of at most ${MAX_CONTENT} characters`);
	if (kind === 'project') return value;
	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch {
		throw new HttpError(400, 'BAD_REQUEST', 'rules content must be JSON: {"tools": [...], "files": [{"name", "text"}]}');
	}

	const rules = parsed as {tools?: unknown; files?: unknown};
	if (!rules || typeof rules !== 'object' || !Array.isArray(rules.tools) || !Array.isArray(rules.files)) throw new HttpError(400, 'BAD_REQUEST', 'rules content must have "tools" and "files" lists');
	const unknownTool = rules.tools.find(tool => typeof tool !== 'string' || !isRulesTool(tool));
	if (unknownTool !== undefined) throw new HttpError(400, 'BAD_REQUEST', `rules: unknown tool ${JSON.stringify(unknownTool)}`);
	const names = new Set<string>();
	for (const file of rules.files as unknown[]) {
		const {name, text} = (file ?? {}) as {name?: unknown; text?: unknown};
		if (typeof name !== 'string' || !RULE_FILE.test(name) || typeof text !== 'string') throw new HttpError(400, 'BAD_REQUEST', `rules: each file needs a safe .md name and a text (got ${JSON.stringify(name)})`);
		if (names.has(name)) throw new HttpError(400, 'BAD_REQUEST', `rules: file ${name} appears twice`);
		names.add(name);
	}

	return value;
}
