import type {CommandModule} from './common.js';

const command: CommandModule = {spec: {help: 'todo', flags: {}}, async run() { return 0; }};
export default command;
