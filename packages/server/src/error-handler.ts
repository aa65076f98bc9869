import { CoreErrors, isPushlineError, PushlineError } from '@pushline/core'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { retryAfterOf, ServerErrors } from './errors.js'

// fastify's own request errors, as pushline codes (anything else 4xx becomes RT_ERR_REQUEST_INVALID).
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: CoreErrors.PayloadTooLarge.code,
  FST_ERR_CTP_INVALID_JSON_BODY: ServerErrors.RequestJson.code,
  FST_ERR_CTP_EMPTY_JSON_BODY: ServerErrors.RequestJson.code,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ServerErrors.RequestContentType.code,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ServerErrors.RequestInvalid.code,
}

/** Any error as a PushlineError with a fitting status: ours as they are, fastify's mapped, the rest a logged 500. */
export function toPushlineError(error: unknown): PushlineError {
  if (isPushlineError(error)) return error
  const fastifyError = error as Partial<FastifyError> | undefined
  const status = fastifyError?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (fastifyError?.code && FASTIFY_CODES[fastifyError.code]) ?? ServerErrors.RequestInvalid.code
    return new PushlineError(code, fastifyError?.message ?? 'bad request', { statusCode: status, cause: error })
  }
  if (error instanceof SyntaxError) {
    return ServerErrors.RequestJson.create(undefined, { cause: error })
  }
  return ServerErrors.ServerInternal.create(undefined, { cause: error })
}

export function sendError(reply: FastifyReply, error: PushlineError): FastifyReply {
  const retryAfter = retryAfterOf(error)
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(error.toJSON()))
}

/** Every error under the plugin's prefix answers `{"error":{"code","message"}}`. */
export function installErrorHandler(scope: FastifyInstance): void {
  scope.setErrorHandler((error, request, reply) => {
    const pushline = toPushlineError(error)
    if (pushline.statusCode >= 500) request.log.error({ err: error }, 'pushline: request failed')
    else request.log.debug({ code: pushline.code }, 'pushline: request refused')
    return sendError(reply, pushline)
  })
}
