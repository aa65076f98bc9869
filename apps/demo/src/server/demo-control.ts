import type { FastifyInstance, FastifyReply } from 'fastify'
import { z } from 'zod'
import { LOAD_PREFIX } from './channels.js'
import { type BurstStatus, runBurst } from './load-publisher.js'
import type { Publish } from './ticker.js'

const burstBody = z.object({
  channel: z.string().startsWith(LOAD_PREFIX).max(128),
  count: z.number().int().min(1).max(200_000),
  ratePerSec: z.number().int().min(1).max(10_000),
})

const MAX_RUNNING = 4
const MAX_REMEMBERED = 64

interface Running {
  readonly stop: AbortController
  readonly done: Promise<void>
}

/**
 * The demo's load publisher, for the e2e suite and for watching the page under load:
 *   POST   /demo/bursts {channel, count, ratePerSec}  publishes `count` events `{n, at}` (n = 0..count-1) on a
 *                                                     `load/...` channel from the server side at a steady rate
 *   GET    /demo/bursts/:id                            progress, and the cursors of the first and last events
 *   DELETE /demo/bursts/:id                            stops it early; `published` then says how many were written
 * Registered only when DEMO_CONTROL=1; only `load/` channels; bounded in count, rate and concurrency. It can make
 * the demo busy, nothing else: browsers still may publish on `chat` only.
 */
export async function demoControl(app: FastifyInstance, opts: { publish: Publish }): Promise<void> {
  const bursts = new Map<string, BurstStatus>()
  const running = new Map<string, Running>()
  const shutdown = new AbortController()
  let nextId = 1

  app.addHook('onClose', async () => {
    shutdown.abort()
    await Promise.all([...running.values()].map((r) => r.done))
  })

  app.post('/bursts', async (request, reply) => {
    const parsed = burstBody.safeParse(request.body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return fail(reply, 400, 'RT_ERR_DEMO_INVALID', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`)
    }
    if (running.size >= MAX_RUNNING) return fail(reply, 429, 'RT_ERR_DEMO_BUSY', `at most ${MAX_RUNNING} bursts at a time`)
    const status: BurstStatus = {
      id: String(nextId++),
      ...parsed.data,
      published: 0,
      firstCursor: null,
      lastCursor: null,
      done: false,
      stopped: false,
      error: null,
    }
    bursts.set(status.id, status)
    if (bursts.size > MAX_REMEMBERED) bursts.delete(bursts.keys().next().value!)
    const stop = new AbortController()
    const done = runBurst(opts.publish, status, AbortSignal.any([shutdown.signal, stop.signal])).finally(() =>
      running.delete(status.id),
    )
    running.set(status.id, { stop, done })
    return reply.code(202).send(status)
  })

  app.get<{ Params: { id: string } }>('/bursts/:id', async (request, reply) => {
    const status = bursts.get(request.params.id)
    return status ?? fail(reply, 404, 'RT_ERR_DEMO_NOT_FOUND', 'no such burst')
  })

  app.delete<{ Params: { id: string } }>('/bursts/:id', async (request, reply) => {
    const status = bursts.get(request.params.id)
    if (!status) return fail(reply, 404, 'RT_ERR_DEMO_NOT_FOUND', 'no such burst')
    const run = running.get(status.id)
    if (run) {
      run.stop.abort()
      await run.done
    }
    return status
  })
}

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } })
}
