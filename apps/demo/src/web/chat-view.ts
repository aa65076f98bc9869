import type { ChatData } from '../server/channels.js'
import { byId, clock, el } from './dom.js'

export interface ChatView {
  /** Shows a message that arrived on the `chat` channel. */
  show(message: ChatData, cursor: string): void
}

const NAME_KEY = 'pushline-demo:name'
const MAX_MESSAGES = 200

/**
 * The chat panel: a list of messages and a composer. Sending goes through `send` (the client's publish); the
 * message appears when it comes back on the subscription, like everyone else's, so what you see is what was
 * delivered.
 */
export function createChatView(initialName: string | undefined, send: (message: ChatData) => Promise<void>): ChatView {
  const list = byId<HTMLOListElement>('chat-messages')
  const form = byId<HTMLFormElement>('chat-form')
  const nameInput = byId<HTMLInputElement>('chat-name')
  const textInput = byId<HTMLInputElement>('chat-text')
  const button = byId<HTMLButtonElement>('chat-send')
  const error = byId<HTMLParagraphElement>('chat-error')

  nameInput.value = initialName ?? localStorage.getItem(NAME_KEY) ?? `guest-${Math.random().toString(36).slice(2, 6)}`
  nameInput.addEventListener('change', () => localStorage.setItem(NAME_KEY, nameInput.value.trim()))
  list.append(el('li', { class: 'empty', text: 'No messages yet.' }))

  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const message = { from: nameInput.value.trim(), text: textInput.value.trim() }
    if (!message.from || !message.text) return
    button.disabled = true
    error.hidden = true
    send(message).then(
      () => {
        textInput.value = ''
        button.disabled = false
        textInput.focus()
      },
      (err: unknown) => {
        button.disabled = false
        error.hidden = false
        error.textContent = `Not sent: ${err instanceof Error ? err.message : String(err)}`
      },
    )
  })

  return {
    show(message, cursor) {
      list.querySelector('.empty')?.remove()
      const mine = message.from === nameInput.value.trim()
      const item = el('li', { class: mine ? 'msg mine' : 'msg', title: `cursor ${cursor}`, data: { cursor } }, [
        el('div', { class: 'meta' }, [el('span', { class: 'from', text: message.from }), el('time', { text: clock() })]),
        el('div', { class: 'text', text: message.text }),
      ])
      list.append(item)
      while (list.children.length > MAX_MESSAGES) list.firstElementChild?.remove()
      list.scrollTop = list.scrollHeight
    },
  }
}
