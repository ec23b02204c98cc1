/**
 * An HTTP server on 127.0.0.1 for the downloader tests, serving one file with Range
 * support, plus routes that misbehave on purpose:
 *   /model.bin        the file
 *   /drop/model.bin   the first request is cut off half-way; later ones honour Range
 *   /stall/model.bin  sends 1000 bytes, then nothing
 *   /slow/model.bin   the file in 256 KiB pieces, 20 ms apart
 *   /404, /500        those statuses
 * Any other path ending in .bin (a mirror's hub path) serves the file too.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';

export interface ServedRequest {
  path: string;
  range?: string;
  /** Body bytes written for this request. */
  sent: number;
}

export class ModelServer {
  readonly requests: ServedRequest[] = [];
  #server: http.Server;
  #sockets = new Set<net.Socket>();
  #dropped = false;

  constructor(readonly content: Buffer) {
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  get bytesSent(): number {
    return this.requests.reduce((sum, r) => sum + r.sent, 0);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const record: ServedRequest = { path: url, sent: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    this.requests.push(record);
    if (url === '/404' || url === '/500') {
      res.writeHead(Number(url.slice(1)));
      res.end('no');
      return;
    }
    if (!url.endsWith('.bin')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const size = this.content.length;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      res.writeHead(206, { 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}`, 'accept-ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
    }
    const body = this.content.subarray(start);
    const send = (chunk: Buffer, done?: () => void) => {
      record.sent += chunk.length;
      res.write(chunk, done);
    };
    if (url === '/drop/model.bin' && !this.#dropped) {
      this.#dropped = true;
      send(body.subarray(0, body.length >> 1), () => setTimeout(() => req.socket.destroy(), 50));
      return;
    }
    if (url === '/stall/model.bin') {
      send(body.subarray(0, 1000));
      return; // never ends
    }
    if (url === '/slow/model.bin') {
      let at = 0;
      const next = () => {
        if (res.destroyed) return;
        if (at >= body.length) return void res.end();
        send(body.subarray(at, at + 262144));
        at += 262144;
        setTimeout(next, 20);
      };
      next();
      return;
    }
    send(body);
    res.end();
  }
}

/** A forwarding proxy (CONNECT tunnels and absolute-form requests) that counts its uses. */
export class TestProxy {
  readonly seen: string[] = [];
  #server = http.createServer((req, res) => {
    this.seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });

  constructor() {
    this.#server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
