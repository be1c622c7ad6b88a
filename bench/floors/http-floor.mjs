// The floor of a served request: node:http alone, answering every request with the same JSON
// body (after reading the request's body, if any), and GET /file with a file's bytes, streamed.
// No routing, no database, no validation: what Node itself costs per request on this machine.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';

const [bodyFile, file] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (file && request.url === '/file') {
      let size;
      try {
        size = statSync(file).size;
      } catch (error) {
        // Said to the client, which fails naming it, rather than a crash it sees as a closed socket.
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`http-floor: ${error.message}`);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': size });
      createReadStream(file).pipe(response);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    response.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
