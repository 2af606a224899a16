import type { ServerResponse } from 'node:http';

interface Client {
  res: ServerResponse;
  staff: string | undefined;
}

/**
 * The open pages of this process, as server-sent event streams. Cards go to every page; a
 * person's messages only to the pages acting as that person. A comment line every `pingMs` keeps
 * proxies and browsers from closing an idle stream.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private readonly ping: NodeJS.Timeout;

  constructor(pingMs = 15_000) {
    this.ping = setInterval(() => this.writeAll(': ping\n\n'), pingMs);
    this.ping.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  hasStaff(staff: string): boolean {
    for (const c of this.clients) if (c.staff === staff) return true;
    return false;
  }

  /** Start a stream on a hijacked response; it is dropped when the connection closes. */
  open(res: ServerResponse, staff: string | undefined, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const client: Client = { res, staff };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    this.write(client, 'hello', { ok: true });
  }

  broadcast(event: string, data: unknown): void {
    for (const c of this.clients) this.write(c, event, data);
  }

  sendTo(staff: string, event: string, data: unknown): void {
    for (const c of this.clients) if (c.staff === staff) this.write(c, event, data);
  }

  /** End every stream (the server is closing: open streams would keep it from closing). */
  close(): void {
    clearInterval(this.ping);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private write(c: Client, event: string, data: unknown): void {
    // JSON never contains a raw newline, so one data: line carries the whole event.
    if (!c.res.writableEnded) c.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private writeAll(chunk: string): void {
    for (const c of this.clients) if (!c.res.writableEnded) c.res.write(chunk);
  }
}
