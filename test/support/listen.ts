// Test servers listen on loopback only, on a free port unless one is given (a receiver brought
// back up on the port it had).
import type net from 'node:net';

export function listenOnLoopback(server: net.Server, port = 0): Promise<{ port: number; origin: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const p = (server.address() as net.AddressInfo).port;
      resolve({ port: p, origin: `http://127.0.0.1:${p}` });
    });
  });
}
