/**
 * Remembered folder listings (discover-fs.ts): a folder whose stat is the one of a trusted listing is
 * not read again; a change of its entries is always seen; a listing younger than the trust window is
 * never remembered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test, vi} from 'vitest';
import {LISTING_TRUST_MS, type Listing, listDir, type ListingMemory, rememberListingsIn} from '../../source/adapters/discover-fs.js';

let dir: string;

class MapMemory implements ListingMemory {
	readonly listings = new Map<string, Listing>();
	get(folder: string) {
		return this.listings.get(folder);
	}

	set(folder: string, listing: Listing) {
		this.listings.set(folder, listing);
	}

	forget(folder: string) {
		this.listings.delete(folder);
	}
}

const names = (folder: string) => listDir(folder).map(entry => `${entry.isDirectory() ? 'd' : entry.isFile() ? 'f' : 'o'}:${entry.name}`).sort();

/** Discovery as if it ran `ms` after now (so folders written by the test count as old). */
function later(ms: number) {
	const real = Date.now.bind(Date);
	return vi.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfs-discover-fs-'));
	fs.writeFileSync(path.join(dir, 'a.jsonl'), 'x');
	fs.mkdirSync(path.join(dir, 'sub'));
});

afterEach(() => {
	rememberListingsIn(undefined);
	vi.restoreAllMocks();
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('remembered listings', () => {
	test('an unchanged old folder is answered from memory, without reading it', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		later(LISTING_TRUST_MS + 1000);
		expect(names(dir)).toEqual(['d:sub', 'f:a.jsonl']);
		expect(memory.listings.has(dir)).toBe(true);
		const readdir = vi.spyOn(fs, 'readdirSync');
		expect(names(dir)).toEqual(['d:sub', 'f:a.jsonl']);
		expect(readdir).not.toHaveBeenCalled();
	});

	test('a folder changed within the trust window is not remembered (read again next time)', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		expect(names(dir)).toEqual(['d:sub', 'f:a.jsonl']);
		expect(memory.listings.has(dir)).toBe(false);
		const readdir = vi.spyOn(fs, 'readdirSync');
		listDir(dir);
		expect(readdir).toHaveBeenCalledTimes(1);
	});

	test('a file added right after the listing (same second) is found', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		later(LISTING_TRUST_MS + 1000);
		const stamp = fs.statSync(dir);
		names(dir);
		fs.writeFileSync(path.join(dir, 'b.jsonl'), 'y');
		// A coarse clock would leave the folder's mtime where it was: the ctime still moves.
		fs.utimesSync(dir, stamp.atime, stamp.mtime);
		expect(names(dir)).toEqual(['d:sub', 'f:a.jsonl', 'f:b.jsonl']);
	});

	test('a removed file is gone from the next listing', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		later(LISTING_TRUST_MS + 1000);
		names(dir);
		fs.rmSync(path.join(dir, 'a.jsonl'));
		expect(names(dir)).toEqual(['d:sub']);
	});

	test('a renamed folder is listed at its new path, and its old path lists nothing', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		later(LISTING_TRUST_MS + 1000);
		const moved = `${dir}-moved`;
		names(dir);
		fs.renameSync(dir, moved);
		try {
			expect(names(dir)).toEqual([]);
			expect(memory.listings.has(dir)).toBe(false);
			expect(names(moved)).toEqual(['d:sub', 'f:a.jsonl']);
		} finally {
			fs.renameSync(moved, dir);
		}
	});

	test('a folder replaced by a file lists nothing, and one replaced by another folder lists the new one', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		later(LISTING_TRUST_MS + 1000);
		const sub = path.join(dir, 'sub');
		fs.writeFileSync(path.join(sub, 'inner.jsonl'), 'z');
		expect(names(sub)).toEqual(['f:inner.jsonl']);
		fs.rmSync(sub, {recursive: true});
		fs.writeFileSync(sub, 'now a file');
		expect(names(sub)).toEqual([]);
		expect(memory.listings.has(sub)).toBe(false);
		fs.rmSync(sub);
		fs.mkdirSync(sub);
		fs.writeFileSync(path.join(sub, 'other.jsonl'), 'w');
		expect(names(sub)).toEqual(['f:other.jsonl']);
	});

	test('without a memory every call reads the folder', () => {
		const readdir = vi.spyOn(fs, 'readdirSync');
		names(dir);
		names(dir);
		expect(readdir).toHaveBeenCalledTimes(2);
	});

	test('a folder that cannot be listed gets one warning and is not remembered', () => {
		const memory = new MapMemory();
		rememberListingsIn(memory);
		later(LISTING_TRUST_MS + 1000);
		vi.spyOn(fs, 'readdirSync').mockImplementation(() => {
			throw Object.assign(new Error('EACCES: permission denied'), {code: 'EACCES'});
		});
		const warnings: string[] = [];
		expect(listDir(dir, warnings)).toEqual([]);
		expect(warnings).toEqual([`cannot list ${dir}: EACCES, skipped`]);
		expect(memory.listings.has(dir)).toBe(false);
	});
});
