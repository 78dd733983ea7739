// Plain JavaScript so the bench workers need no TypeScript loader.
// POST /v1/logs over keep-alive HTTP: resolves with the answer's status; a connection the server
// closed or refused resolves -1 (the load clients count it and go on). close() ends the sockets.
import http from 'node:http';

export function logsPoster(url, contentType, maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const target = new URL(url);
  const post = (body, key) =>
    new Promise((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: '/v1/logs',
          method: 'POST',
          agent,
          headers: { 'content-type': contentType, authorization: `Bearer ${key}`, 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(-1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}
