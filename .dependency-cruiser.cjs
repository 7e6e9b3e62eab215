// Import rules for authbench, checked by `npm run lint` (depcruise) and by lib/dependency-rules.test.ts.
// CommonJS because package.json says "type": "module" and dependency-cruiser loads its config with require.
const path = require('node:path');

// The pipeline, from the edge inwards: a layer may import itself and any layer to its right, never one to its
// left. Tests (*.test.ts) and test-support/ sit outside the order: they may import any layer.
const LAYERS = ['cli', 'bench', 'scenarios', 'servers', 'redis', 'lib'];

const TEST_CODE = ['\\.test\\.ts$', '^test-support/'];

const upwardImportRules = LAYERS.slice(1).map((layer, index) => {
  const above = LAYERS.slice(0, index + 1);
  return {
    name: `no-upward-import-from-${layer}`,
    comment:
      `${layer}/ sits below ${above.join(', ')} in the layer order (${LAYERS.join(' → ')}); importing upwards ` +
      'tangles the pipeline (a server that knows the benchmark cannot be tested or reused alone). ' +
      'Move the shared piece down to the layer that owns it, or pass it in.',
    severity: 'error',
    from: { path: `^${layer}/`, pathNot: TEST_CODE },
    to: { path: `^(${above.join('|')})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle means neither module can be understood, tested or moved without the other, and ESM ' +
        'evaluation order inside it decides which one sees the other half-initialised. Move the shared ' +
        'part (usually a type) into the module that owns it.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upwardImportRules,
    {
      name: 'no-test-code-in-production',
      comment:
        'test-support/ and *.test.ts are test-only helpers; production code that imports them drags test ' +
        'fixtures (and the node:test runner) into the CLI and the servers.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'no-import-of-reference-server',
      comment:
        'bench/reference/fastify-jwt-server.ts is a benchmark reference (a minimal @fastify/jwt server that ' +
        '`authbench reference` compares the jwt server with), not part of the harness: only its own entry, ' +
        'serve-reference.ts, imports it, and the comparison starts that entry as a process. Anything else that ' +
        'imported it would make the harness depend on @fastify/jwt, a devDependency.',
      severity: 'error',
      from: { pathNot: ['^bench/reference/serve-reference\\.ts$', ...TEST_CODE] },
      to: { path: '^bench/reference/fastify-jwt-server\\.ts$' },
    },
    {
      name: 'no-dev-dependency-in-production',
      comment:
        'devDependencies are absent after `npm ci --omit=dev`: production code that imports one fails at start. ' +
        'Tests, test-support/ and the benchmark reference server (run only by `authbench reference`, from a ' +
        'development checkout) may.',
      severity: 'error',
      from: { pathNot: ['^bench/reference/fastify-jwt-server\\.ts$', ...TEST_CODE] },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-import-from-dist',
      comment:
        'dist/ is build output: importing it runs stale compiled code, bypasses type checking and breaks ' +
        'on a clean clone before the first build. Import the .ts source instead.',
      severity: 'error',
      from: {},
      to: { path: '^(\\.\\./)*dist/' },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^dist/'] },
    // Counts `import type` too: a type-only import still couples the two modules, and verbatimModuleSyntax
    // would otherwise hide it from the compiled output.
    tsPreCompilationDeps: true,
    // Absolute, so the rules give the same resolution when dependency-rules.test.ts cruises a tree in a temp dir.
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
