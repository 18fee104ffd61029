/**
 * @module An error the node agent's API answers with its status code and a plain-text message, as
 * the kubelet does; the API server turns a 400's text into the BadRequest Status that kubectl shows.
 */
export class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);
