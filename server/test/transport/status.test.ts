import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status as Status } from '@grpc/grpc-js';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '@flexmoe/shared';
import { ChecksumError, TooLargeError } from '@flexmoe/proto';
import { DrainingError, DuplicateSessionError, PreconditionError, StaleRoundError, UnauthenticatedError, UnknownSessionError } from '../../src/errors';
import { toGrpcStatus } from '../../src/transport/status';

test('every failure mode maps to its precise gRPC status; unknown errors are INTERNAL without details', () => {
  const cases: Array<[Error, Status]> = [
    [new InvalidArgumentError('x'), Status.INVALID_ARGUMENT],
    [new ShapeError('x'), Status.INVALID_ARGUMENT],
    [new NonFiniteError('x'), Status.INVALID_ARGUMENT],
    [new ChecksumError('x'), Status.DATA_LOSS],
    [new TooLargeError('x'), Status.RESOURCE_EXHAUSTED],
    [new UnauthenticatedError('x'), Status.UNAUTHENTICATED],
    [new StaleRoundError('x'), Status.FAILED_PRECONDITION],
    [new PreconditionError('x'), Status.FAILED_PRECONDITION],
    [new UnknownSessionError('x'), Status.NOT_FOUND],
    [new DuplicateSessionError('x'), Status.ALREADY_EXISTS],
    [new DrainingError('x'), Status.UNAVAILABLE],
  ];
  for (const [err, code] of cases) {
    const s = toGrpcStatus(err);
    assert.equal(s.code, code, err.constructor.name);
    assert.equal(s.details, 'x');
    assert.equal(String(s.metadata!.get('x-flexmoe-error')[0]), (err as Error & { code: string }).code);
  }
  const internal = toGrpcStatus(new TypeError('secret path /etc/x'));
  assert.equal(internal.code, Status.INTERNAL);
  assert.equal(internal.details, 'internal error');
});
