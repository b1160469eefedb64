// Lint: typescript-eslint's strict type-checked preset over the workspaces' TypeScript,
// typed through each workspace's tsconfig (the project service finds the nearest one).
// Every rule relaxed below says why; the reasons are about cost against correct code, not taste.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Generated proto types are rewritten by scripts/gen-proto-types.mjs, never edited by hand.
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', 'proto/src/generated/**'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A dropped promise loses its error: `void p` is not an answer either, only await or .catch.
      // node:test's test()/describe() promises are tracked by the runner itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          ignoreVoid: false,
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
        },
      ],
      // Numbers and booleans in messages are how every log line and error here is written (~670 sites).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `x[i]!` on typed-array and bounds-checked reads is used in ~400 places of numeric code.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Same `!`s seen from the other side (without noUncheckedIndexedAccess they are "unnecessary").
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `() => fn()` arrow shorthands and `return reject(e)` in executors are idiomatic (~150 sites).
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // `_`-prefixed names and rest siblings are how this code drops fields on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Return-type-only generics (`load<T>()`, `loadYaml<T>()`) are deliberate casts at untyped edges.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      // V8 documents flags changed after start-up as unsupported: use worker resourceLimits or NODE_OPTIONS.
      'no-restricted-properties': [
        'error',
        { object: 'v8', property: 'setFlagsFromString', message: 'pass V8 flags at start (NODE_OPTIONS) or use worker resourceLimits' },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'node:v8', importNames: ['setFlagsFromString'], message: 'pass V8 flags at start (NODE_OPTIONS) or use worker resourceLimits' }] },
      ],
      // Rejecting with an AbortSignal's reason (typed any) is what Node's own APIs do.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Checks at trust edges (parsed JSON, proto messages, CLI input) look "unnecessary" to the
      // types but guard what arrives at run time (~70 sites in ~40 files).
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    // Tests parse the JSON that real processes print; typing each document adds no safety, the
    // assertions check the shape.
    files: ['*/test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // Fakes of async interfaces (`reverse: async () => []`) and require() of the CommonJS
      // deploy scripts under test.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
