/**
 * Sessions are append-only, so two versions always merge: every message of the stored version in
 * its order, then the incoming messages it lacks (by msg_id), in theirs. Nothing is ever dropped;
 * pushing the same version twice changes nothing (a retried push is harmless).
 */
import {statsFor} from '../engine/session-stats.js';
import type {Session} from '../engine/types.js';

export type Merged = {session: Session; added: number};

export function mergeSessions(stored: Session | undefined, incoming: Session): Merged {
	if (!stored) return {session: incoming, added: incoming.messages.length};
	const known = new Set(stored.messages.map(message => message.msg_id));
	const extra = incoming.messages.filter(message => !known.has(message.msg_id));
	if (extra.length === 0) return {session: stored, added: 0};
	const messages = [...stored.messages, ...extra];
	const newer = (incoming.manifest.updated_at ?? '') >= (stored.manifest.updated_at ?? '') ? incoming : stored;
	const manifest = {...newer.manifest, stats: {...newer.manifest.stats, ...statsFor(messages)}};
	return {session: {manifest, messages, workspace: newer.workspace ?? stored.workspace, tools: newer.tools ?? stored.tools}, added: extra.length};
}
