/**
 * What insight stores with a session, in its directory under `meta/`: the narrative summary
 * (`meta/summary.json`) and the audit's verdicts and judge findings (`meta/audit.json`).
 * Written atomically through the store; a missing or unreadable file reads as empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Store} from '../store.js';
import type {Finding, FindingStatus} from './audit.js';

export type Narrative = {what_happened: string; key_decisions: string[]; outcome: string; open_issues: string[]};
export type StoredNarrative = {narrative: Narrative; model: string; provider: string; created_at: string; through_msg_id: string | null};
export type StoredAudit = {
	verdicts: Record<string, {status: Exclude<FindingStatus, 'open'>; at: string}>;
	judge?: {model: string; provider: string; created_at: string; findings: Finding[]};
};

export const SUMMARY_META = 'meta/summary.json';
export const AUDIT_META = 'meta/audit.json';

function read<T>(store: Store, sessionId: string, relative: string): T | undefined {
	try {
		return JSON.parse(fs.readFileSync(path.join(store.dir(sessionId), relative), 'utf8')) as T;
	} catch {
		return undefined;
	}
}

export function readNarrative(store: Store, sessionId: string): StoredNarrative | undefined {
	const stored = read<StoredNarrative>(store, sessionId, SUMMARY_META);
	return stored && typeof stored.narrative === 'object' && stored.narrative ? stored : undefined;
}

export function writeNarrative(store: Store, sessionId: string, stored: StoredNarrative): void {
	store.writeRaw(sessionId, SUMMARY_META, `${JSON.stringify(stored, null, 2)}\n`);
}

export function readAuditMeta(store: Store, sessionId: string): StoredAudit {
	const stored = read<StoredAudit>(store, sessionId, AUDIT_META);
	return {verdicts: stored && typeof stored.verdicts === 'object' && stored.verdicts ? stored.verdicts : {}, ...(stored?.judge ? {judge: stored.judge} : {})};
}

export function writeAuditMeta(store: Store, sessionId: string, stored: StoredAudit): void {
	store.writeRaw(sessionId, AUDIT_META, `${JSON.stringify(stored, null, 2)}\n`);
}

/** Findings with their stored verdicts applied. */
export function withVerdicts(findings: Finding[], stored: StoredAudit): Finding[] {
	return findings.map(finding => {
		const verdict = stored.verdicts[finding.id];
		return verdict ? {...finding, status: verdict.status} : finding;
	});
}
