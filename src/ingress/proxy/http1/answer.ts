/**
 * @module The proxy's own short HTTP/1.1 answers (400, 404, 502, …): a text body naming the
 * status, as nginx's error pages do, with whatever extra field lines the caller needs.
 */
import { STATUS_CODES } from 'node:http';

/** The whole answer; `fields` are extra "Name: value\r\n" lines; HEAD answers carry no body. */
export function answerText(status: number, fields = '', head = false): string {
  const body = `${status} ${STATUS_CODES[status]}\n`;
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n`
    + `${fields}\r\n${head ? '' : body}`;
}
