/**
 * The pushline demo page. Everything real-time goes through the public client API:
 *   createClient -> client.subscribe(channels, { cursor, onEvent, onReset }) -> sub.ready
 *   -> client.on('transport' | 'state') -> client.publish(channel, data)
 * Copy this file as a starting point; the views next to it are plain DOM code.
 */
import { createClient, type PushlineError, type ResetInfo } from '@pushline/client'
import type { DemoChannels } from '../server/channels.js'
import { createChatView } from './chat-view.js'
import { byId } from './dom.js'
import { createEventLogView } from './event-log-view.js'
import { readParams } from './params.js'
import { whenPositioned } from './ready.js'
import { createRecord, noteWatched } from './record.js'
import { createTickerView } from './ticker-view.js'
import { appendSwitch, renderBadge, setupOrderSelect } from './transport-view.js'
import './styles.css'

const params = readParams()
const record = createRecord(params.watch)
window.pushlineDemo = record

// The API is served by the same origin as the page (directly, or through a reverse proxy): a relative URL resolves
// against the page. Typing the client with the channel declarations gives `event.data` its type per channel.
const client = createClient<DemoChannels>({
  url: '/rt',
  ...(params.transports ? { transports: params.transports } : {}),
  ...(params.upgradeMs ? { upgradeIntervalMs: params.upgradeMs } : {}),
})

// Every switch of transport, with why: the first choice ('negotiated'), a failure that moved it down
// ('ws-upgrade-refused', 'stream-buffered', 'idle-cut', ...) or a background re-test that moved it back up ('upgrade').
client.on('transport', ({ name, previous, reason }) => {
  record.transport = name
  record.reason = reason
  const entry = { at: new Date().toISOString(), name, previous, reason }
  record.switches.push(entry)
  appendSwitch(entry)
  renderBadge(record)
})
client.on('state', ({ state }) => {
  record.state = state
  renderBadge(record)
})

const onTick = createTickerView(byId('ticker'))
const log = createEventLogView(record)
const chat = createChatView(params.name, async (message) => {
  await client.publish('chat', message)
})

// The page's own channels in one subscription, and one more subscription per watched load channel (`?watch=`, any
// number): the client carries them all over one connection. Each records when it is positioned (`ready`): from then
// on, every event published on its channels reaches it, once, in order.
const cursor = params.cursor ? { cursor: params.cursor } : {}
const onReset = (reset: ResetInfo): void => {
  // The log no longer has everything after our cursor: say so, and carry on from where it resumes.
  record.resets.push(reset)
  log.reset(reset)
}
const onError = (error: PushlineError): void => {
  record.error = `${error.code}: ${error.message}`
  renderBadge(record)
}
const seen = (event: { readonly cursor: string }): void => {
  record.events++
  record.lastCursor = event.cursor
}

const pageSubscribedAt = performance.now()
const pageSubscription = client.subscribe(['ticker', 'chat'], {
  ...cursor,
  onEvent(event) {
    seen(event)
    log.add(event)
    if (event.channel === 'ticker') onTick(event.data)
    else {
      record.chat.push({ cursor: event.cursor, ...event.data })
      chat.show(event.data, event.cursor)
    }
  },
  onReset,
  onError,
})
whenPositioned(pageSubscription, pageSubscribedAt, (ready) => {
  record.ready = ready
})

for (const channel of new Set(params.watch)) {
  const watched = record.watched[channel]
  if (!watched) continue
  const subscribedAt = performance.now()
  const subscription = client.subscribe([channel], {
    ...cursor,
    onEvent(event) {
      seen(event)
      log.add(event)
      noteWatched(record, event)
    },
    onReset,
    onError,
  })
  whenPositioned(subscription, subscribedAt, (ready) => {
    watched.ready = ready
    log.refresh()
  })
}

setupOrderSelect(params.transports, () => record.lastCursor)
renderBadge(record)
window.addEventListener('pagehide', () => client.close())
