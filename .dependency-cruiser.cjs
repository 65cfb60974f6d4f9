// The layering rules `npm test` enforces (npm run lint:deps). dependency-cruiser rather than
// eslint-plugin-boundaries: it follows the whole import graph (a rule can say "the daemon's graph
// never REACHES fit/", not only "no direct import"), counts type-only imports when told to
// (tsPreCompilationDeps), and needs no ESLint set-up the project does not otherwise have.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'extension-is-thin',
      comment: 'The extension talks to the daemon over LSP; it shares only shared/ with it.',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^server/' },
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'shared/ is imported by both sides and imports neither.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(server|extension)/' },
    },
    {
      name: 'daemon-serves-only',
      comment: 'The daemon (dist/server.js and everything it loads) never reaches the evaluation, the CLI, the benchmarks, the recorded fleet or the fitting code.',
      severity: 'error',
      from: { path: '^server/(main\\.ts|daemon/)' },
      to: { path: '^server/(eval|cli|bench|fleet|fit)/', reachable: true },
    },
    {
      name: 'serving-layers-point-down',
      comment: 'Serving modules are used by the daemon, eval, fit and the CLI, never the other way round.',
      severity: 'error',
      from: { path: '^server/(config|data|checks|verify|context|client|completion|accounting|routing|store|command-line|discover)/' },
      to: { path: '^server/(daemon|eval|cli|bench|fleet|fit)/' },
    },
    {
      name: 'config-is-a-base',
      comment: 'Configuration is read by every layer and depends on none of them (only the dataset loaders, a leaf, for the energy anchors).',
      severity: 'error',
      from: { path: '^server/config/' },
      to: { path: '^server/', pathNot: '^server/(config|data)/' },
    },
    {
      name: 'accounting-below-routing',
      comment: 'Routing weighs what accounting predicts and budgets allow; accounting never needs routing.',
      severity: 'error',
      from: { path: '^server/accounting/' },
      to: { path: '^server/routing/' },
    },
    {
      name: 'no-cycles',
      comment: 'No import cycle, type-only ones included: a cycle is two modules that can only change together.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
