/**
 * The standard `grpc.health.v1.Health` service: Check and Watch for the overall server ("") and
 * the coordinator service. The coordinator flips to NOT_SERVING first when it drains.
 */
import { status as Status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { HealthCheckRequest__Output, HealthCheckResponse, HealthHandlers } from '@flexmoe/proto';

/** Serving status values of the health protocol. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** Health state of named services with watchers. */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<HealthCheckRequest__Output, HealthCheckResponse> }>();

  constructor(services: readonly string[]) {
    for (const s of ['', ...services]) this.statuses.set(s, 'SERVING');
  }

  /** Sets every service's status and notifies watchers. */
  setAll(status: ServingStatus): void {
    for (const s of this.statuses.keys()) this.statuses.set(s, status);
    for (const w of this.watchers) w.call.write({ status });
  }

  /** Current status of a service, or undefined when unknown. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** gRPC handlers of the Health service. */
  handlers(): HealthHandlers {
    return {
      Check: (call: ServerUnaryCall<HealthCheckRequest__Output, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
        const s = this.statuses.get(call.request.service);
        if (s === undefined) callback({ code: Status.NOT_FOUND, details: `unknown service '${call.request.service}'` });
        else callback(null, { status: s });
      },
      Watch: (call: ServerWritableStream<HealthCheckRequest__Output, HealthCheckResponse>) => {
        const entry = { service: call.request.service, call };
        this.watchers.add(entry);
        call.write({ status: this.statuses.get(call.request.service) ?? 'SERVICE_UNKNOWN' });
        call.on('cancelled', () => this.watchers.delete(entry));
        call.on('close', () => this.watchers.delete(entry));
      },
    };
  }

  /** Ends every Watch stream (at shutdown). */
  closeWatchers(): void {
    for (const w of this.watchers) w.call.end();
    this.watchers.clear();
  }
}
