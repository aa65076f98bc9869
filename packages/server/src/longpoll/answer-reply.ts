import { CURSOR_HEADER } from '@pushline/core'
import type { FastifyReply } from 'fastify'
import type { TransportContext } from '../transports/types.js'
import type { SharedAnswer } from './poll-group.js'

/**
 * Sets up `reply` for a shared answer and returns its body, sent as it is (one serialized body for every poll at
 * that position). Answers with events may be kept by shared caches when the plugin allows it
 * (`longpollCacheMaxAgeSec`): an answer depends on its URL alone (channels + cursor).
 */
export function answerReply(answer: SharedAnswer, context: TransportContext, reply: FastifyReply): Buffer {
  reply.header(CURSOR_HEADER, answer.cursor)
  if (answer.status === 410) {
    context.counters.resets++
    reply.code(410)
  } else {
    context.counters.eventsSent += answer.events
    const maxAge = context.options.longpollCacheMaxAgeSec
    if (maxAge > 0) reply.header('cache-control', `public, max-age=${maxAge}`)
  }
  return answer.body
}
