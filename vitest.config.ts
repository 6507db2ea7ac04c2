import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		exclude: ['test/conformance/**', 'node_modules/**'],
		// CI=false: with CI set, Ink writes only the last frame on exit (style.md G9), which the view tests read as they go.
		env: {FORCE_COLOR: '0', CI: 'false'},
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Real processes and SQLite files; two cores on CI.
		pool: 'forks',
		maxWorkers: 2,
	},
});
