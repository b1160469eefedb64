/**
 * Test doubles for code built on this package, kept out of the main entry so production code
 * never imports them: `import { FakeClock } from '@flexmoe/shared/testing'`.
 */
export { FakeClock } from './util/fake-clock';
export { makeTestCertificates } from './util/test-certificates';
