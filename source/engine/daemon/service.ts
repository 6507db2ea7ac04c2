/**
 * Starting the daemon at login: a systemd user unit (Linux) or a launchd agent (macOS). The unit
 * runs `sfs daemon run` in the foreground; the service manager restarts it if it fails.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {PLACE_ENV} from '../capture-journal.js';
import {SfsError} from '../errors.js';
import {writeFileAtomic} from '../fs-atomic.js';
import {type Env, homeDir} from '../paths.js';
import {daemonCommand} from './control.js';
import {logFilePath} from './files.js';

export const SYSTEMD_UNIT_NAME = 'sfs-daemon.service';
export const LAUNCHD_LABEL = 'dev.sfs.daemon';

/** Variables the daemon must see to find the same stores and data dir as this shell. */
function passedEnvironment(env: Env): Array<[string, string]> {
	return PLACE_ENV.filter(name => env[name]).map(name => [name, env[name]!]);
}

export function systemdUnitPath(env: Env): string {
	const configHome = env.XDG_CONFIG_HOME || path.join(homeDir(env), '.config');
	return path.join(configHome, 'systemd', 'user', SYSTEMD_UNIT_NAME);
}

export function launchdPlistPath(env: Env): string {
	return path.join(homeDir(env), 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
}

/** systemd quoting: each word in double quotes, with \ and " escaped and % doubled (specifier syntax). */
function systemdWord(word: string): string {
	return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

export function systemdUnit(env: Env, command: string[] = daemonCommand()): string {
	const environment = passedEnvironment(env).map(([name, value]) => `Environment=${systemdWord(`${name}=${value}`)}`);
	return [
		'[Unit]',
		'Description=sfs: capture AI coding agent sessions in the background',
		'',
		'[Service]',
		'Type=simple',
		`ExecStart=${command.map(word => systemdWord(word)).join(' ')}`,
		...environment,
		'Restart=on-failure',
		'RestartSec=5',
		// Idle it does nothing; when busy it must not compete with the user's tools.
		'Nice=10',
		'',
		'[Install]',
		'WantedBy=default.target',
		'',
	].join('\n');
}

function xml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function launchdPlist(env: Env, command: string[] = daemonCommand()): string {
	const environment = passedEnvironment(env);
	const log = logFilePath(env).replace(/daemon\.log$/, 'launchd.log');
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		'<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
		'<plist version="1.0">',
		'<dict>',
		'\t<key>Label</key>',
		`\t<string>${LAUNCHD_LABEL}</string>`,
		'\t<key>ProgramArguments</key>',
		'\t<array>',
		...command.map(word => `\t\t<string>${xml(word)}</string>`),
		'\t</array>',
		...(environment.length > 0
			? ['\t<key>EnvironmentVariables</key>', '\t<dict>', ...environment.flatMap(([name, value]) => [`\t\t<key>${xml(name)}</key>`, `\t\t<string>${xml(value)}</string>`]), '\t</dict>']
			: []),
		'\t<key>RunAtLoad</key>',
		'\t<true/>',
		'\t<key>KeepAlive</key>',
		'\t<dict>',
		'\t\t<key>SuccessfulExit</key>',
		'\t\t<false/>',
		'\t</dict>',
		'\t<key>ProcessType</key>',
		'\t<string>Background</string>',
		'\t<key>StandardOutPath</key>',
		`\t<string>${xml(log)}</string>`,
		'\t<key>StandardErrorPath</key>',
		`\t<string>${xml(log)}</string>`,
		'</dict>',
		'</plist>',
		'',
	].join('\n');
}

export type ServiceResult = {file: string; manager: 'systemd' | 'launchd'; enabled: boolean; note?: string};

type Runner = (command: string, args: string[]) => void;
const run: Runner = (command, args) => {
	execFileSync(command, args, {stdio: 'pipe', timeout: 15_000});
};

export function installService(env: Env, options: {platform?: NodeJS.Platform; runner?: Runner; uid?: number} = {}): ServiceResult {
	const platform = options.platform ?? process.platform;
	const runner = options.runner ?? run;
	if (platform === 'darwin') {
		const file = launchdPlistPath(env);
		writeFileAtomic(file, launchdPlist(env));
		fs.chmodSync(file, 0o644);
		const domain = `gui/${options.uid ?? process.getuid?.() ?? 501}`;
		try {
			try {
				runner('launchctl', ['bootout', domain, file]);
			} catch {}

			runner('launchctl', ['bootstrap', domain, file]);
			return {file, manager: 'launchd', enabled: true};
		} catch (error) {
			return {file, manager: 'launchd', enabled: false, note: `launchctl failed (${firstLine(error)}); load it with: launchctl bootstrap ${domain} ${file}`};
		}
	}

	if (platform !== 'linux') throw new SfsError('NOT_AVAILABLE', `no service manager support on ${platform}`, {hint: 'use sfs daemon start'});
	const file = systemdUnitPath(env);
	writeFileAtomic(file, systemdUnit(env));
	fs.chmodSync(file, 0o644);
	try {
		runner('systemctl', ['--user', 'daemon-reload']);
		runner('systemctl', ['--user', 'enable', '--now', SYSTEMD_UNIT_NAME]);
		return {file, manager: 'systemd', enabled: true};
	} catch (error) {
		return {file, manager: 'systemd', enabled: false, note: `systemctl --user failed (${firstLine(error)}); enable it later with: systemctl --user enable --now ${SYSTEMD_UNIT_NAME}`};
	}
}

export function uninstallService(env: Env, options: {platform?: NodeJS.Platform; runner?: Runner; uid?: number} = {}): {file: string; removed: boolean} {
	const platform = options.platform ?? process.platform;
	const runner = options.runner ?? run;
	const file = platform === 'darwin' ? launchdPlistPath(env) : systemdUnitPath(env);
	const existed = fs.existsSync(file);
	try {
		if (platform === 'darwin') runner('launchctl', ['bootout', `gui/${options.uid ?? process.getuid?.() ?? 501}`, file]);
		else runner('systemctl', ['--user', 'disable', '--now', SYSTEMD_UNIT_NAME]);
	} catch {
		// Not loaded, or no service manager running: removing the file is what matters.
	}

	fs.rmSync(file, {force: true});
	if (platform !== 'darwin') {
		try {
			runner('systemctl', ['--user', 'daemon-reload']);
		} catch {}
	}

	return {file, removed: existed};
}

function firstLine(error: unknown): string {
	const stderr = (error as {stderr?: Buffer}).stderr?.toString().trim();
	return (stderr || (error instanceof Error ? error.message : String(error))).split('\n', 1)[0]!.slice(0, 200);
}
