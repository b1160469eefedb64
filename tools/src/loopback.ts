/**
 * How the tools start a coordinator of their own: loopback only, any free gRPC and metrics ports
 * (the coordinator prints the bound ones), open without tokens. Open is allowed only on loopback,
 * and the coordinator warns about it; these coordinators live as long as one fleet, bench or scale
 * case.
 */

/** `flexmoe server` listen arguments for a local, short-lived coordinator keeping its state in `dataDir`. */
export function loopbackServerArgs(dataDir: string): string[] {
  return ['--host', '127.0.0.1', '--port', '0', '--metrics-host', '127.0.0.1', '--metrics-port', '0', '--insecure', '--data-dir', dataDir];
}
