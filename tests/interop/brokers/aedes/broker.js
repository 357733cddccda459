// Aedes over WebSocket for the mqttws interop matrix: a ws server on an
// http server (ws) and an https server (wss) at /mqtt, answering the `mqtt`
// subprotocol. Ports, certificate and key come from the environment set by
// tests/interop/broker.
'use strict'
const fs = require('fs')
const http = require('http')
const https = require('https')
const { WebSocketServer, createWebSocketStream } = require('ws')
const { Aedes } = require('aedes')

async function main () {
  const broker = await Aedes.createBroker()
  const serve = (server, port, name) => {
    const wss = new WebSocketServer({
      server,
      path: '/mqtt',
      // No payload limit below the 256 KiB checks (ws defaults to 100 MiB).
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false)
    })
    wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws), req))
    server.listen(port, '127.0.0.1', () => console.log(`aedes: ${name} listening on ${port}`))
  }
  serve(http.createServer(), Number(process.env.IOP_WS_PORT), 'ws')
  serve(https.createServer({
    cert: fs.readFileSync(process.env.IOP_CERT),
    key: fs.readFileSync(process.env.IOP_KEY)
  }), Number(process.env.IOP_WSS_PORT), 'wss')
  const stop = () => broker.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((e) => { console.error(e); process.exit(1) })
