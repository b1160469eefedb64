import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { BadReplyError, CallAbortedError, RpcError } from '@flexmoe/proto';
import { AbortedError, CoordinatorError } from '../../src/errors';
import { toCoordinatorError } from '../../src/transport/status';

function refusal(code: status, details: string): RpcError {
  return new RpcError('Submit', code, 'ERROR_REASON_STALE_ROUND', details, `Submit: ${status[code]}: ${details}`);
}

test('every status the coordinator uses maps to a daemon error kind naming the call, with the reason', () => {
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
    const err = toCoordinatorError(refusal(code, 'round 3 is stale'));
    assert.ok(err instanceof CoordinatorError);
    assert.equal(err.kind, kind);
    assert.equal(err.status, code);
    assert.equal(err.reason, 'ERROR_REASON_STALE_ROUND');
    assert.equal(err.retryable, retryable, `${kind} retryable`);
    assert.equal(err.message, `Submit: ${status[code]}: round 3 is stale`);
    assert.equal(err.code, `FLEXMOE_ERR_COORDINATOR_${kind.toUpperCase().replace(/-/g, '_')}`);
  }
});

test('an unusable reply is invalid, an abandoned call is an abort, anything else passes through', () => {
  const bad = toCoordinatorError(new BadReplyError('Download: tensor x missing'));
  assert.ok(bad instanceof CoordinatorError && bad.kind === 'invalid');
  assert.ok(toCoordinatorError(new CallAbortedError('Join abandoned')) instanceof AbortedError);
  const plain = new TypeError('bug');
  assert.equal(toCoordinatorError(plain), plain);
});
