/** Writes sessions [from, to) of a corpus plan (a JSON file) and prints the files written as JSON. */
import fs from 'node:fs';
import {type Plan, writeSessions} from './generate.js';

const [planFile, from, to] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile!, 'utf8')) as Plan;
process.stdout.write(JSON.stringify(writeSessions(plan, Number(from), Number(to))));
