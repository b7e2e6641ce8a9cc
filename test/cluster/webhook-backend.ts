// A webhook server process for the cluster tests: HTTPS on one address, allows every review, prints each as a JSON line.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [certFile, keyFile, ip, port] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const review = JSON.parse(body || '{}');
    const r = review.request ?? {};
    const call = {
      path: req.url ?? '',
      kind: r.kind?.kind ?? '',
      name: r.name ?? r.object?.metadata?.name ?? '',
      namespace: r.namespace,
      operation: r.operation ?? '',
      username: r.userInfo?.username ?? '',
      groups: r.userInfo?.groups ?? [],
      hasObject: r.object != null,
    };
    process.stdout.write(`${JSON.stringify(call)}\n`);
    res.setHeader('content-type', 'application/json');
    // One request per connection: the API server dials again for every call and so picks an endpoint every time,
    // instead of reusing the first good connection (which made the wrong-backend failures a matter of luck).
    res.setHeader('connection', 'close');
    res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: review.kind, response: { uid: r.uid, allowed: true } }));
  });
});
server.listen(Number(port), ip, () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
