import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status as Status } from '@grpc/grpc-js';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '@flexmoe/shared';
import { ChecksumError, TooLargeError, errorDetailsOf, type ErrorReasonName } from '@flexmoe/proto';
import {
  DrainingError,
  DuplicateSessionError,
  PreconditionError,
  ProtocolVersionError,
  StaleRoundError,
  UnauthenticatedError,
  UnknownSessionError,
} from '../../src/errors';
import { toGrpcStatus } from '../../src/transport/status';

test('every failure mode maps to its precise gRPC status and error reason; unknown errors are INTERNAL without details', () => {
  const cases: [Error, Status, ErrorReasonName][] = [
    [new InvalidArgumentError('x'), Status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT'],
    [new ShapeError('x'), Status.INVALID_ARGUMENT, 'ERROR_REASON_SHAPE'],
    [new NonFiniteError('x'), Status.INVALID_ARGUMENT, 'ERROR_REASON_NON_FINITE'],
    [new ChecksumError('x'), Status.DATA_LOSS, 'ERROR_REASON_CHECKSUM'],
    [new TooLargeError('x'), Status.RESOURCE_EXHAUSTED, 'ERROR_REASON_TOO_LARGE'],
    [new UnauthenticatedError('x'), Status.UNAUTHENTICATED, 'ERROR_REASON_UNAUTHENTICATED'],
    [new StaleRoundError('x'), Status.FAILED_PRECONDITION, 'ERROR_REASON_STALE_ROUND'],
    [new ProtocolVersionError('x'), Status.FAILED_PRECONDITION, 'ERROR_REASON_PROTOCOL_VERSION'],
    [new PreconditionError('x'), Status.FAILED_PRECONDITION, 'ERROR_REASON_PRECONDITION'],
    [new UnknownSessionError('x'), Status.NOT_FOUND, 'ERROR_REASON_UNKNOWN_SESSION'],
    [new DuplicateSessionError('x'), Status.ALREADY_EXISTS, 'ERROR_REASON_DUPLICATE_SESSION'],
    [new DrainingError('x'), Status.UNAVAILABLE, 'ERROR_REASON_DRAINING'],
  ];
  for (const [err, code, reason] of cases) {
    const s = toGrpcStatus(err);
    assert.equal(s.code, code, err.constructor.name);
    assert.equal(s.details, 'x');
    const details = errorDetailsOf(s.metadata);
    assert.equal(details?.reason, reason, err.constructor.name);
    assert.equal(details.metadata.code, (err as Error & { code: string }).code);
    assert.equal(String(s.metadata!.get('x-flexmoe-error')[0]), (err as Error & { code: string }).code);
  }
  const internal = toGrpcStatus(new TypeError('secret path /etc/x'));
  assert.equal(internal.code, Status.INTERNAL);
  assert.equal(internal.details, 'internal error');
  assert.equal(errorDetailsOf(internal.metadata)?.reason, 'ERROR_REASON_INTERNAL');
});
