// Tests run as native ESM (NestJS 12 ships ESM only), so jest needs --experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#libs/([^/]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
  },
  // Points the Vulkan loader at SwiftShader for the webgpu specs (see the file for why it must be here).
  globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
  testTimeout: 60000,
  // A pool or socket some spec leaves open must not keep CI waiting after every test has finished.
  forceExit: true,
};
