/**
 * A tool-neutral conversation (user prompts, assistant steps with thinking, a tool call and its
 * output, a final answer) that each native writer renders in its tool's own format.
 */
import {createHash} from 'node:crypto';
import type {TextSource} from './text.js';

export type Step = {thinking: string; text: string; callId: string; tool: string; command: string; output: string};
export type Turn = {prompt: string; steps: Step[]; answer: string};
export type Conversation = {
	uuid: string;
	cwd: string;
	startMs: number;
	turns: Turn[];
	/** Canonical messages this conversation holds (prompt + 2 per step + answer, per turn). */
	messages: number;
};

/** A deterministic v4-shaped UUID from a label (the generator never needs real randomness). */
export function uuidFrom(label: string): string {
	const hex = createHash('sha1').update(label).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function buildConversation(text: TextSource, label: string, targetMessages: number, startMs: number): Conversation {
	const project = `${text.word()}-${text.word()}`;
	const cwd = `/home/dev/projects/${project}`;
	const turns: Turn[] = [];
	let messages = 0;
	let call = 0;
	while (messages < targetMessages) {
		const remaining = targetMessages - messages;
		const maxSteps = Math.max(0, Math.floor((remaining - 2) / 2));
		const steps: Step[] = [];
		const stepCount = Math.min(maxSteps, text.int(0, 4));
		for (let i = 0; i < stepCount; i++) {
			const command = text.command();
			steps.push({
				thinking: text.paragraph(8, 40),
				text: text.paragraph(4, 30),
				callId: `call_${label.replace(/\W/g, '')}_${call++}`,
				tool: 'bash',
				command,
				output: text.toolOutput(),
			});
		}

		turns.push({prompt: text.paragraph(5, 60), steps, answer: text.paragraph(15, 180)});
		messages += 2 + steps.length * 2;
	}

	return {uuid: uuidFrom(label), cwd, startMs, turns, messages};
}

/** Timestamps: each message a few seconds after the previous one. */
export class Clock {
	private ms: number;

	constructor(startMs: number) {
		this.ms = startMs;
	}

	next(): string {
		this.ms += 1500 + ((this.ms / 7) % 9000);
		return new Date(Math.floor(this.ms)).toISOString();
	}

	nextMs(): number {
		this.next();
		return Math.floor(this.ms);
	}
}
