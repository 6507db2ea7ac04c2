// Precompiles the .sfs schema validators into <out>/engine/schema-validators.cjs (see source/engine/schema-standalone.ts),
// so that a capture's first write does not load ajv and compile the schemas. Runs after tsc: `node scripts/build-validators.mjs [out]`.
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const out = path.resolve(process.argv[2] ?? 'dist');
const {writeStandaloneValidators} = await import(pathToFileURL(path.join(out, 'engine', 'schema-standalone.js')).href);
await writeStandaloneValidators(path.join(out, 'engine'));
