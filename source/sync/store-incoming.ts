/**
 * Taking a session that arrived from elsewhere (a pull, a handoff, a signed bundle) into the local
 * store: validated, then created, or given the messages the local copy lacks. Append-only: nothing
 * local is dropped. Also what leaves: machine-local bookkeeping is stripped before a session goes out.
 */
import {manifestForIndex} from '../engine/archive.js';
import {SfsError} from '../engine/errors.js';
import {assertValid, isSafeSessionId, prepareValidation} from '../engine/format.js';
import type {Engine} from '../engine/open-engine.js';
import {statsFor} from '../engine/session-stats.js';
import type {Session} from '../engine/types.js';

export type StoredIncoming = {created: boolean; added: number; message_count: number};

/** Machine-local bookkeeping stays home: capture cursors point at this machine's files. */
export function withoutLocalState(session: Session): Session {
	const {capture: _capture, ...metadata} = session.manifest.metadata ?? {};
	const manifest = {...session.manifest, metadata};
	delete manifest.sync;
	return {...session, manifest};
}

/** `origin` names where the session came from in error messages ("pulled", "bundled"). */
export async function storeIncoming(engine: Engine, session: Session, origin: string): Promise<StoredIncoming> {
	await prepareValidation();
	assertValid('manifest', session.manifest, `${origin} manifest`);
	const id = session.manifest.session_id;
	if (!isSafeSessionId(id)) throw new SfsError('INVALID_SESSION', `the ${origin} session has an unsafe id ${JSON.stringify(id)}`);
	for (const [index, message] of session.messages.entries()) assertValid('message', message, `${origin} message ${index + 1}`);
	if (session.workspace) assertValid('workspace', session.workspace, `${origin} workspace`);
	if (session.tools) assertValid('tools', session.tools, `${origin} tools`);
	const {store} = engine;
	if (!store.exists(id)) {
		store.createSession({manifest: session.manifest, messages: session.messages, workspace: session.workspace, tools: session.tools});
		reindex(engine, id);
		return {created: true, added: session.messages.length, message_count: session.messages.length};
	}

	// Under the session's lock: the daemon may be committing captured messages to it right now.
	return store.withSessionLock(id, () => {
		const local = store.readSession(id);
		const known = new Set(local.messages.map(message => message.msg_id));
		const missing = session.messages.filter(message => !known.has(message.msg_id));
		const all = [...local.messages, ...missing];
		const recorded = local.manifest.stats?.message_count;
		if (missing.length > 0 || recorded !== all.length) {
			// recorded !== all: a pull killed between appending its messages and committing the manifest.
			const updatedAt = [local.manifest.updated_at, session.manifest.updated_at].filter(Boolean).sort().at(-1) ?? local.manifest.updated_at;
			store.appendMessages(id, missing, {...local.manifest, updated_at: updatedAt, stats: {...local.manifest.stats, ...statsFor(all)}});
			reindex(engine, id);
		} else if (engine.index.getSession(id)?.message_count !== all.length) {
			reindex(engine, id);
		}

		return {created: false, added: missing.length, message_count: all.length};
	});
}

function reindex(engine: Engine, id: string): void {
	const {manifest, messages} = engine.store.readSession(id);
	engine.index.transaction(() => {
		engine.index.removeSession(id);
		engine.index.upsertSession(manifestForIndex(manifest, messages));
		engine.index.addMessages(id, messages, 1);
	});
}
