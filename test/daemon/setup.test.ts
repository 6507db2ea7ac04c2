/**
 * `sfs init --yes` on a temp home, and the service files `sfs daemon install` writes (systemd is not
 * running here: the unit's content is checked, and `systemd-analyze verify` runs where installed).
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {installService, launchdPlist, systemdUnit, systemdUnitPath, uninstallService} from '../../source/engine/daemon/service.js';
import {installFixture, type Sandbox, sandboxPerTest, sessionIds, sfs, status, waitIdle} from './helpers.js';

let box: Sandbox;
sandboxPerTest(created => {
	box = created;
});

describe('sfs init', () => {
	test('--yes detects the tools with sessions, enables their watchers, captures and starts the daemon', async () => {
		installFixture(box);
		fs.mkdirSync(path.join(box.sfsHome), {recursive: true});
		fs.writeFileSync(path.join(box.sfsHome, 'config.json'), JSON.stringify({watchers: {disabled: ['claude-code', 'cursor']}}));
		const run = await sfs(box, ['init', '--yes']);
		expect(run.exitCode).toBe(0);
		expect(run.stdout).toMatch(/Claude Code\s+1\s/);
		expect(run.stdout).toContain('found Claude Code');
		expect(run.stdout).toContain('enabled: claude-code');
		expect(run.stdout).toMatch(/first capture: 1 new/);
		expect(run.stdout).toMatch(/daemon started \(pid \d+\)/);
		const config = JSON.parse(fs.readFileSync(path.join(box.sfsHome, 'config.json'), 'utf8')) as {watchers: {disabled: string[]}};
		// Only tools found are switched on; a source the user turned off and that is not installed stays off.
		expect(config.watchers.disabled).toEqual(['cursor']);
		expect(sessionIds(box)).toHaveLength(1);
		const current = await waitIdle(box);
		expect(current.running).toBe(true);
		// The daemon's own start-up pass found nothing new: init had captured already.
		expect(current.last_capture).toMatchObject({new: 0});
	});

	test('without a terminal and without --yes it refuses with one line', async () => {
		const run = await sfs(box, ['init']);
		expect(run.exitCode).toBe(2);
		expect(run.stderr).toMatch(/^sfs: sfs init asks questions, but stdin is not a terminal \(pass --yes/);
	});

	test('--no-daemon captures without starting the daemon', async () => {
		installFixture(box);
		const run = await sfs(box, ['init', '--yes', '--no-daemon']);
		expect(run.exitCode).toBe(0);
		expect(sessionIds(box)).toHaveLength(1);
		expect((await status(box)).running).toBe(false);
	});
});

describe('service units', () => {
	const command = ['/usr/bin/node', '/opt/my sfs/dist/cli.js', 'daemon', 'run'];

	test('the systemd user unit runs `sfs daemon run` in the foreground and restarts it on failure', () => {
		const unit = systemdUnit({HOME: '/home/u', SFS_HOME: '/data/100% sfs'}, command);
		expect(unit).toContain('ExecStart="/usr/bin/node" "/opt/my sfs/dist/cli.js" "daemon" "run"\n');
		expect(unit).toContain('Environment="SFS_HOME=/data/100%% sfs"');
		// Every variable discovery reads reaches the daemon (Cline's were missing), HOME and APPDATA aside.
		const moved = systemdUnit({HOME: '/home/u', CLINE_DIR: '/c/dir', CLINE_DATA_DIR: '/c/data', CLINE_SESSION_DATA_DIR: '/c/sessions', CODEX_HOME: '/x', APPDATA: '/w'}, command);
		for (const line of ['Environment="CLINE_DIR=/c/dir"', 'Environment="CLINE_DATA_DIR=/c/data"', 'Environment="CLINE_SESSION_DATA_DIR=/c/sessions"', 'Environment="CODEX_HOME=/x"']) expect(moved).toContain(line);
		expect(moved).not.toContain('APPDATA');
		expect(moved).not.toMatch(/Environment="HOME=/);
		expect(unit).toMatch(/^Type=simple$/m);
		expect(unit).toMatch(/^Restart=on-failure$/m);
		expect(unit).toMatch(/^\[Install\]\nWantedBy=default.target$/m);
		expect(systemdUnitPath({HOME: '/home/u'})).toBe('/home/u/.config/systemd/user/sfs-daemon.service');
		expect(systemdUnitPath({HOME: '/home/u', XDG_CONFIG_HOME: '/cfg'})).toBe('/cfg/systemd/user/sfs-daemon.service');
	});

	test('systemd-analyze verify accepts the generated unit', context => {
		let analyze: string;
		try {
			analyze = execFileSync('sh', ['-c', 'command -v systemd-analyze'], {encoding: 'utf8'}).trim();
		} catch {
			context.skip(); // Not installed here; the content test above still runs.
			return;
		}

		const dir = fs.mkdtempSync(path.join(box.root, 'unit-'));
		const file = path.join(dir, 'sfs-daemon.service');
		fs.writeFileSync(file, systemdUnit({HOME: box.home, SFS_HOME: box.sfsHome}, [process.execPath, path.join(box.root, 'cli.js'), 'daemon', 'run']));
		let output = '';
		try {
			output = execFileSync(analyze, ['verify', '--man=no', file], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
		} catch (error) {
			output = String((error as {stderr?: string}).stderr ?? '') + String((error as {stdout?: string}).stdout ?? '');
		}

		// Lines about the unit itself (not about the host's other units or a missing system bus).
		const aboutUnit = output.split('\n').filter(line => line.includes('sfs-daemon.service') && !/Failed to|bus/i.test(line));
		expect(aboutUnit).toEqual([]);
	});

	test('the launchd agent runs at load and keeps the daemon alive after a failure', () => {
		const plist = launchdPlist({HOME: '/Users/u', SFS_HOME: '/Users/u/sfs & co'}, command);
		expect(plist).toContain('<key>Label</key>\n\t<string>dev.sfs.daemon</string>');
		expect(plist).toContain('\t\t<string>/opt/my sfs/dist/cli.js</string>\n\t\t<string>daemon</string>\n\t\t<string>run</string>');
		expect(plist).toContain('<key>SFS_HOME</key>\n\t\t<string>/Users/u/sfs &amp; co</string>');
		expect(plist).toMatch(/<key>RunAtLoad<\/key>\n\t<true\/>/);
		expect(plist).toMatch(/<key>SuccessfulExit<\/key>\n\t\t<false\/>/);
	});

	test('install writes the unit and enables it through systemctl --user; uninstall removes it', () => {
		const calls: string[] = [];
		const result = installService(box.env, {platform: 'linux', runner: (cmd, args) => calls.push([cmd, ...args].join(' '))});
		expect(result).toMatchObject({manager: 'systemd', enabled: true});
		expect(fs.readFileSync(result.file, 'utf8')).toContain('"daemon" "run"');
		expect(calls).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now sfs-daemon.service']);
		const failing = installService(box.env, {
			platform: 'linux',
			runner() {
				throw new Error('Failed to connect to bus: No medium found');
			},
		});
		expect(failing.enabled).toBe(false);
		expect(failing.note).toContain('systemctl --user enable --now sfs-daemon.service');
		expect(uninstallService(box.env, {platform: 'linux', runner() {}})).toMatchObject({removed: true});
		expect(fs.existsSync(result.file)).toBe(false);

		const mac = installService(box.env, {platform: 'darwin', uid: 501, runner: (cmd, args) => calls.push([cmd, ...args].join(' '))});
		expect(mac.file).toBe(path.join(box.home, 'Library', 'LaunchAgents', 'dev.sfs.daemon.plist'));
		expect(calls.at(-1)).toBe(`launchctl bootstrap gui/501 ${mac.file}`);
	});

	test('`sfs daemon install` through the CLI writes the unit even without a running systemd', async () => {
		const run = await sfs(box, ['daemon', 'install', '--json']);
		expect(run.exitCode).toBe(0);
		const result = JSON.parse(run.stdout) as {file: string; enabled: boolean};
		expect(fs.readFileSync(result.file, 'utf8')).toMatch(/^ExecStart=".*node.*" ".*dist\/cli\.js" "daemon" "run"$/m);
		const removed = await sfs(box, ['daemon', 'uninstall']);
		expect(removed.exitCode).toBe(0);
		expect(fs.existsSync(result.file)).toBe(false);
	});
});
