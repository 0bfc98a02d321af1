/**
 * Worker thread of the embedded DynamoDB (`embedded-dynamodb.ts`): dynalite, its LevelDB store and its request
 * handler run here, so that the emulator's CPU work (request validation, expression parsing, item encoding) runs
 * beside the local API's event loop instead of on it.
 *
 * Plain CommonJS so that it loads in any runtime (tsx, jest, plain node) without a TypeScript loader.
 *
 * Messages in:  { type: 'request', id, method, url, headers (lower-case names), body (bytes) } | { type: 'close' }
 * Messages out: { type: 'ready', port } | { type: 'response', id, statusCode, headers, body (string or bytes) } |
 *               { type: 'failed', id, message } | { type: 'closed', error }
 */
'use strict';

const { EventEmitter } = require('node:events');
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require('dynalite');

/**
 * The request as a `node:http` server hands it to its listener, as far as dynalite reads it: `method`, `url`,
 * `headers` (lower-case names) and the body as `data` events followed by `end`.
 */
class WorkerRequest extends EventEmitter {
  constructor(method, url, headers) {
    super();
    this.method = method;
    this.url = url;
    this.headers = headers;
    this.httpVersion = '1.1';
  }
}

/** The response as dynalite writes it: `statusCode`, `setHeader`, then `end(body)`, which sends the answer back. */
class WorkerResponse {
  constructor(id) {
    this.id = id;
    this.statusCode = 200;
    this.headersSent = false;
    this.headers = {};
  }

  setHeader(name, value) {
    this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    return this;
  }

  getHeader(name) {
    return this.headers[name.toLowerCase()];
  }

  removeHeader(name) {
    delete this.headers[name.toLowerCase()];
  }

  end(body, encoding) {
    if (this.headersSent) return this;
    this.headersSent = true;
    // dynalite answers with a JSON string (sent as is: cheaper to copy than bytes) or nothing.
    const payload =
      typeof body === 'string'
        ? encoding === undefined || typeof encoding !== 'string' || encoding === 'utf8' || encoding === 'utf-8'
          ? body
          : Buffer.from(body, encoding).toString('utf8')
        : body instanceof Uint8Array
          ? Uint8Array.prototype.slice.call(body)
          : '';
    parentPort.postMessage({
      type: 'response',
      id: this.id,
      statusCode: this.statusCode,
      headers: this.headers,
      body: payload,
    });
    return this;
  }
}

const server = dynalite(workerData.options);

parentPort.on('message', (message) => {
  if (message.type === 'request') {
    const request = new WorkerRequest(message.method, message.url, message.headers);
    const response = new WorkerResponse(message.id);
    try {
      server.emit('request', request, response);
      if (message.body.byteLength > 0) {
        request.emit('data', Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength));
      }
      request.emit('end');
    } catch (error) {
      // dynalite threw while handling the request (a node:http server would crash): fail this request only.
      if (!response.headersSent) {
        response.headersSent = true;
        parentPort.postMessage({ type: 'failed', id: message.id, message: String(error && error.message) });
      }
    }
  } else if (message.type === 'close') {
    // dynalite's close stops the listener, waits for pending LevelDB operations and closes the store.
    // The parent ends the thread once it has the answer.
    server.close((error) => {
      parentPort.postMessage({ type: 'closed', error: error ? String(error.message) : null });
    });
  }
});

// A loopback listener as well, for other tools (and because dynalite closes its store through its server's close).
server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ type: 'ready', port: server.address().port });
});
