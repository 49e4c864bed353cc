/**
 * Every error a client sees: `{ code, message, issues? }` with the catalogue's HTTP status. No stack
 * traces leave the process; unexpected faults are logged with the request id and answered 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isNumasimError, NumasimError, type ErrorSpec, type FieldIssue } from '@numasim/shared';
import { ApiErrors } from '../errors.js';
import { validationIssues, type AjvError } from './validation-issues.js';

export function sendError(reply: FastifyReply, spec: ErrorSpec, message: string, issues: readonly FieldIssue[] = [], headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(spec.status).type('application/json').send(new NumasimError(spec, message, issues).toJSON());
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) =>
    sendError(reply, ApiErrors.NOT_FOUND, `no endpoint ${req.method} ${req.url.split('?')[0]}`),
  );

  app.setErrorHandler((err: FastifyError & { code?: string }, req, reply) => {
    if (isNumasimError(err)) {
      if (!err.user) req.log.error({ err }, 'request failed');
      return reply.code(err.status).type('application/json').send(err.toJSON());
    }
    if (err.validation) {
      const where = err.validationContext ?? 'body';
      const data = { body: req.body, querystring: req.query, params: req.params, headers: req.headers }[where];
      const issues = validationIssues(err.validation as AjvError[], where, data);
      return sendError(reply, ApiErrors.BODY_INVALID, `invalid request: ${issues.map((i) => `${i.path}: ${i.reason}`).join('; ')}`, issues);
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, ApiErrors.BODY_TOO_LARGE, `the request body is larger than ${app.initialConfig.bodyLimit} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendError(reply, ApiErrors.CONTENT_TYPE_UNSUPPORTED, `send the body as application/json (got ${JSON.stringify(req.headers['content-type'] ?? 'none')})`);
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, ApiErrors.BODY_MALFORMED, 'the body is empty; send a JSON object');
    }
    if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return sendError(reply, ApiErrors.BODY_MALFORMED, `the body is not valid JSON: ${err.message}`);
    }
    if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
      req.log.error({ err }, 'store write failed');
      return sendError(reply, ApiErrors.STORE_UNAVAILABLE, `the run store cannot be written (${err.code}); nothing was accepted`, [], { 'retry-after': '30' });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, ApiErrors.BODY_INVALID, err.message);
    }
    req.log.error({ err }, 'unexpected error');
    return sendError(reply, ApiErrors.INTERNAL, `internal error; the service log has the details under request id ${req.id}`);
  });
}
