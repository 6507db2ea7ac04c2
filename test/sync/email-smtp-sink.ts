/** A real SMTP server on 127.0.0.1 (smtp-server) that keeps every mail it receives, for the email tests. */
import type {AddressInfo} from 'node:net';
import {SMTPServer} from 'smtp-server';

export type ReceivedMail = {from: string; to: string[]; subject: string; text: string};

export type SmtpSink = {url: string; mails: ReceivedMail[]; mailsTo(email: string): ReceivedMail[]; close(): Promise<void>};

export async function smtpSink(): Promise<SmtpSink> {
	const mails: ReceivedMail[] = [];
	const smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.mailFrom ? session.envelope.mailFrom.address : '', session.envelope.rcptTo.map(item => item.address)));
				callback();
			});
		},
	});
	await new Promise<void>(resolve => smtp.listen(0, '127.0.0.1', () => resolve()));
	const {port} = smtp.server.address() as AddressInfo;
	return {
		url: `smtp://127.0.0.1:${port}`,
		mails,
		mailsTo: email => mails.filter(mail => mail.to.includes(email)),
		close: async () => new Promise<void>(resolve => smtp.close(() => resolve())),
	};
}

/** Headers and a text body; quoted-printable (what nodemailer uses for long lines) decoded. */
function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
	const split = raw.indexOf('\r\n\r\n');
	const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
	let body = raw.slice(split + 4);
	const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
	if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
		body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_all, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
	} else if (/base64/i.test(header('Content-Transfer-Encoding'))) {
		body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	}

	return {from, to, subject: header('Subject'), text: body.replace(/\r\n/g, '\n')};
}
