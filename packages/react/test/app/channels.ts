import { defineChannels } from '@pushline/core'
import { z } from 'zod'

export const channels = defineChannels({
  ticks: z.object({ n: z.number().int() }),
  news: z.object({ title: z.string() }),
})
