import { createClient } from '@pushline/client'
import { PushlineProvider } from '@pushline/react'
import { createElement as h, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import type { channels } from '../app/channels.js'
import { Feed } from './feed.jsx'

const client = createClient<typeof channels>({ url: `${location.origin}/rt` })
const root = document.getElementById('root')
if (root) createRoot(root).render(h(StrictMode, null, h(PushlineProvider, { client }, h(Feed))))
