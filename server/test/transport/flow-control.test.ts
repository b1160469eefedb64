import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { widenServerFlowControl } from '../../src/transport/flow-control';

const STREAM_WINDOW = 3 << 20;
const CONNECTION_WINDOW = 5 << 20;

async function boundServer(widen: boolean): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  if (widen) assert.equal(widenServerFlowControl(server, STREAM_WINDOW, CONNECTION_WINDOW), true);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}

/** What a peer of the server sees: its advertised stream window and the connection window granted. */
async function peerView(port: number): Promise<{ streamWindow: number | undefined; connectionWindow: number | undefined }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    // The ping's answer comes after any WINDOW_UPDATE the server sent first.
    await new Promise((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve(undefined))));
    return { streamWindow: session.remoteSettings.initialWindowSize, connectionWindow: session.state.remoteWindowSize };
  } finally {
    session.close();
  }
}

test('a widened server advertises the stream window and grants the connection window', async () => {
  const { server, port } = await boundServer(true);
  try {
    const view = await peerView(port);
    assert.equal(view.streamWindow, STREAM_WINDOW);
    assert.equal(view.connectionWindow, CONNECTION_WINDOW);
  } finally {
    server.forceShutdown();
  }
});

test('without widening the server keeps the http2 default window', async () => {
  const { server, port } = await boundServer(false);
  try {
    const view = await peerView(port);
    assert.equal(view.streamWindow, http2.getDefaultSettings().initialWindowSize);
    assert.ok((view.connectionWindow ?? 0) < CONNECTION_WINDOW);
  } finally {
    server.forceShutdown();
  }
});
