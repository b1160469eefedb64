/**
 * HTTP/2 flow-control window of the coordinator's gRPC server. grpc-js (1.14.7, pinned exactly in
 * package.json because this module patches its internals) honours
 * `grpc-node.flow_control_window` on channels only; its server keeps Node's 64 KiB default, so a
 * client streaming a Submit must wait for a WINDOW_UPDATE from the coordinator's event loop after
 * every 64 KiB. On a loaded machine those waits, not the bytes, set the upload rate. This widens the
 * window for the server's sessions through the two grpc-js internals that carry HTTP/2 settings;
 * if a future grpc-js changes them, the server keeps working with the default window.
 */
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/** The grpc-js server internals this module relies on (not part of its typed API). */
/** Plain or TLS HTTP/2 server as grpc-js hands it over (null before binding). */
type SessionSource = { on(event: 'session', listener: (session: http2.ServerHttp2Session) => void): unknown } | null;

interface ServerInternals {
  commonServerOptions?: { settings?: http2.Settings };
  _setupHandlers?: (server: SessionSource, ...rest: unknown[]) => void;
}

/**
 * Advertises `windowBytes` as the initial stream window of every session of `server` and raises
 * each session's connection window to `connectionWindowBytes`. Call before `bindAsync`. Returns
 * false (and changes nothing) when this grpc-js does not expose the expected internals.
 */
export function widenServerFlowControl(server: grpc.Server, windowBytes: number, connectionWindowBytes: number): boolean {
  const internals = server as unknown as ServerInternals;
  const options = internals.commonServerOptions;
  const setupHandlers = internals._setupHandlers;
  if (!options || typeof setupHandlers !== 'function') return false;
  options.settings = { ...options.settings, initialWindowSize: windowBytes };
  internals._setupHandlers = function (this: unknown, h2: SessionSource, ...rest: unknown[]) {
    h2?.on('session', (session: http2.ServerHttp2Session) => widenSession(session, connectionWindowBytes));
    return setupHandlers.call(this, h2, ...rest);
  };
  return true;
}

function widenSession(session: http2.ServerHttp2Session, windowBytes: number): void {
  try {
    session.setLocalWindowSize(windowBytes);
  } catch {
    // A session already closing refuses the update; it carries no calls any more.
  }
}
