import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		exclude: ['test/conformance/**', 'node_modules/**'],
		env: {FORCE_COLOR: '0'},
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Real processes and SQLite files; two cores on CI.
		pool: 'forks',
		maxWorkers: 2,
	},
});
