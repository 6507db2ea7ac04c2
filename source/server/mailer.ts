/**
 * Outgoing mail of the sync server (verification links, org invites, handoffs) over SMTP with
 * nodemailer. Email is on only when an SMTP URL is configured (`SFS_SMTP_URL=smtp://host:port`, sender
 * `SFS_MAIL_FROM`); without it the server is air-gapped: links go to the server log and the API answer.
 */
import nodemailer from 'nodemailer';
import {SfsError} from '../engine/errors.js';

export type Mail = {to: string; subject: string; text: string};

export type Mailer = {
	/** Where mail goes, for the server log (no credentials). */
	readonly describe: string;
	send(mail: Mail): Promise<void>;
	close(): void;
};

export type MailSettings = {url: string; from: string};

const DEFAULT_FROM = 'sfs <sfs@localhost>';

/** The SMTP settings from the environment, or undefined when email is off. */
export function mailSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MailSettings | undefined {
	const url = env.SFS_SMTP_URL?.trim();
	if (!url) return undefined;
	return {url, from: env.SFS_MAIL_FROM?.trim() || DEFAULT_FROM};
}

export function smtpMailer(settings: MailSettings): Mailer {
	let parsed: URL;
	try {
		parsed = new URL(settings.url);
	} catch {
		throw new SfsError('USAGE', `SFS_SMTP_URL is not a URL: ${JSON.stringify(settings.url)}`, {hint: 'e.g. SFS_SMTP_URL=smtp://127.0.0.1:25'});
	}

	if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new SfsError('USAGE', `SFS_SMTP_URL must be smtp:// or smtps://, not ${parsed.protocol}`);
	const transport = nodemailer.createTransport(settings.url);
	return {
		describe: `${parsed.protocol}//${parsed.host}`,
		async send(mail) {
			await transport.sendMail({from: settings.from, to: mail.to, subject: mail.subject, text: mail.text});
		},
		close() {
			transport.close();
		},
	};
}
