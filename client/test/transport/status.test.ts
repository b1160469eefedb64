import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { CoordinatorError } from '../../src/errors';
import { toCoordinatorError } from '../../src/transport/status';

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

test('every status the coordinator uses maps to a daemon error kind naming the call', () => {
  const cases: [status, string, boolean][] = [
    [status.UNAUTHENTICATED, 'unauthenticated', false],
    [status.INVALID_ARGUMENT, 'invalid', false],
    [status.FAILED_PRECONDITION, 'precondition', false],
    [status.NOT_FOUND, 'not-found', false],
    [status.ALREADY_EXISTS, 'conflict', false],
    [status.RESOURCE_EXHAUSTED, 'too-large', false],
    [status.DATA_LOSS, 'data-loss', false],
    [status.UNAVAILABLE, 'unavailable', true],
    [status.DEADLINE_EXCEEDED, 'deadline', true],
    [status.INTERNAL, 'internal', true],
  ];
  for (const [code, kind, retryable] of cases) {
    const err = toCoordinatorError('Submit', serviceError(code, 'round 3 is stale'));
    assert.ok(err instanceof CoordinatorError);
    assert.equal(err.kind, kind);
    assert.equal(err.status, code);
    assert.equal(err.retryable, retryable, `${kind} retryable`);
    assert.equal(err.message, `Submit: ${status[code]}: round 3 is stale`);
    assert.equal(err.code, `FLEXMOE_ERR_COORDINATOR_${kind.toUpperCase().replace(/-/g, '_')}`);
  }
});

test('errors that are not gRPC statuses pass through unchanged', () => {
  const plain = new TypeError('bug');
  assert.equal(toCoordinatorError('Join', plain), plain);
});
