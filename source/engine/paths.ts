/**
 * Where sfs keeps things. Every path derives from the environment at call time (SFS_HOME, XDG, HOME),
 * so tests can point them at temp dirs.
 */
import os from 'node:os';
import path from 'node:path';

export type Env = NodeJS.ProcessEnv;

export function homeDir(env: Env = process.env): string {
	return env.HOME && env.HOME.length > 0 ? env.HOME : os.homedir();
}

/** `~` and a leading `~/` as the home folder (a path or glob typed by a user); anything else as it is. */
export function expandHome(text: string, env: Env = process.env): string {
	if (text === '~') return homeDir(env);
	return text.startsWith('~/') ? path.join(homeDir(env), text.slice(2)) : text;
}

/** Data: sessions/, index.db, logs, daemon socket. */
export function dataDir(env: Env = process.env, platform: NodeJS.Platform = process.platform): string {
	if (env.SFS_HOME) return path.resolve(env.SFS_HOME);
	if (env.XDG_DATA_HOME) return path.join(env.XDG_DATA_HOME, 'sfs');
	if (platform === 'darwin') return path.join(homeDir(env), 'Library', 'Application Support', 'sfs');
	return path.join(homeDir(env), '.local', 'share', 'sfs');
}

/** Config: config.json. On macOS too, CLI users expect ~/.config. */
export function configDir(env: Env = process.env): string {
	if (env.SFS_HOME) return path.resolve(env.SFS_HOME);
	if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, 'sfs');
	return path.join(homeDir(env), '.config', 'sfs');
}

export function configPath(env: Env = process.env): string {
	return path.join(configDir(env), 'config.json');
}

export function sessionsDir(env: Env = process.env): string {
	return path.join(dataDir(env), 'sessions');
}

export function sessionDir(sessionId: string, env: Env = process.env): string {
	return path.join(sessionsDir(env), sessionId);
}

export function indexPath(env: Env = process.env): string {
	return path.join(dataDir(env), 'index.db');
}

export function tombstonesPath(env: Env = process.env): string {
	return path.join(dataDir(env), 'tombstones.jsonl');
}

export function logsDir(env: Env = process.env): string {
	return path.join(dataDir(env), 'logs');
}

/** Daemon socket and pid file live in the data dir (mode 0700), so only the user can reach them. */
export function runDir(env: Env = process.env): string {
	return path.join(dataDir(env), 'run');
}

/** Derived, deletable data (e.g. Cursor database snapshots). */
export function cacheDir(env: Env = process.env): string {
	return path.join(dataDir(env), 'cache');
}

/** Directories 0700, files 0600. */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
