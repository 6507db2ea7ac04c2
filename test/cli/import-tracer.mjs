// Loaded with `node --import`: records every module URL the ESM loader resolves into $SFS_TRACE_IMPORTS.
import {register} from 'node:module';

register('./import-tracer-hooks.mjs', import.meta.url, {data: {file: process.env.SFS_TRACE_IMPORTS}});
