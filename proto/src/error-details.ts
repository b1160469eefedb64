/**
 * The precise reason of a refusal, as gRPC's standard rich error model carries it: the
 * `grpc-status-details-bin` trailer holds a google.rpc.Status whose details hold one
 * google.rpc.ErrorInfo { reason: <ErrorReason value name>, domain: "flexmoe.io" }. Any gRPC
 * client in any language decodes it with its stock google.rpc types; ours decodes it here.
 */
import * as protobuf from 'protobufjs';
import type { Metadata } from '@grpc/grpc-js';
import { ErrorReason, type ErrorReason__Output } from './generated/flexmoe/v1/ErrorReason';

/** Trailer holding the serialized google.rpc.Status (the gRPC convention, binary). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** Trailer holding the FLEXMOE_ERR_* code; deprecated, kept for one protocol version. */
export const LEGACY_ERROR_KEY = 'x-flexmoe-error';

/** ErrorInfo.domain of FlexMoE's reasons. */
export const ERROR_DOMAIN = 'flexmoe.io';

/** A reason name of the `flexmoe.v1.ErrorReason` enum. */
export type ErrorReasonName = ErrorReason__Output;

const ERROR_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.ErrorInfo';

// google.rpc.Status, google.rpc.ErrorInfo and google.protobuf.Any with the field numbers of
// googleapis' google/rpc/status.proto and error_details.proto (only the fields used here).
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: 'string', id: 1 },
                domain: { type: 'string', id: 2 },
                metadata: { keyType: 'string', type: 'string', id: 3 },
              },
            },
          },
        },
        protobuf: { nested: { Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } },
      },
    },
  },
} as protobuf.INamespace);
const StatusType = root.lookupType('google.rpc.Status');
const ErrorInfoType = root.lookupType('google.rpc.ErrorInfo');

interface AnyMessage {
  typeUrl?: string;
  value?: Uint8Array;
}

/** What a refusal says beyond its status code. */
export interface ErrorDetails {
  /** The enum value; ERROR_REASON_UNSPECIFIED when absent or unknown to this build. */
  readonly reason: ErrorReasonName;
  /** The reason as sent (differs from `reason` only when a newer peer sent a value we lack). */
  readonly reasonText: string;
  /** ErrorInfo.metadata (the coordinator puts its FLEXMOE_ERR_* code under `code`). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** True when `name` is a value of the ErrorReason enum this build knows. */
export function isErrorReason(name: string): name is ErrorReasonName {
  return Object.prototype.hasOwnProperty.call(ErrorReason, name);
}

/** Serializes a google.rpc.Status carrying one ErrorInfo with `reason`. */
export function encodeStatusDetails(code: number, message: string, reason: ErrorReasonName, metadata: Record<string, string> = {}): Buffer {
  const info = ErrorInfoType.encode(ErrorInfoType.create({ reason, domain: ERROR_DOMAIN, metadata })).finish();
  const status = StatusType.create({ code, message, details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: info }] });
  return Buffer.from(StatusType.encode(status).finish());
}

/** Decodes the ErrorInfo of our domain from a serialized google.rpc.Status; undefined when there is none or the bytes are malformed. */
export function decodeStatusDetails(bytes: Uint8Array): ErrorDetails | undefined {
  try {
    const status = StatusType.decode(bytes) as unknown as { details?: AnyMessage[] };
    for (const any of status.details ?? []) {
      if (any.typeUrl !== ERROR_INFO_TYPE_URL || !any.value) continue;
      const info = ErrorInfoType.decode(any.value) as unknown as { reason?: string; domain?: string; metadata?: Record<string, string> };
      if (info.domain !== ERROR_DOMAIN) continue;
      const text = info.reason ?? '';
      return { reason: isErrorReason(text) ? text : 'ERROR_REASON_UNSPECIFIED', reasonText: text, metadata: { ...info.metadata } };
    }
  } catch {
    // A peer's malformed trailer must not hide the status code itself: treat it as absent.
  }
  return undefined;
}

/** The details carried in a call's trailing metadata, if any. */
export function errorDetailsOf(metadata: Metadata | undefined): ErrorDetails | undefined {
  const value = metadata?.get(STATUS_DETAILS_KEY)[0];
  return value instanceof Uint8Array ? decodeStatusDetails(value) : undefined;
}
