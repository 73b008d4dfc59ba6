'use strict';
// The Socket.IO peer of the Relais benchmark (issue 9): the same job as Relais's messaging path, built the way a
// competent team would build it with Socket.IO and its Redis adapter.
//
//   token checked at connect      GET sio:tok:<token> -> user id (a token unknown to Redis is refused)
//   rooms from membership         SMEMBERS sio:rooms:<user>, joined before the client is told it is ready
//   message appended, then sent   XADD hist:<room> MAXLEN ~ 10000, then io.to(room).emit via the adapter, then ack
//   history from Redis            XREVRANGE hist:<room> + - COUNT <limit>
//   resume after a reconnect      the client gives the last stream id seen per room; the missed entries are
//                                 read with XRANGE and sent before 'ready'
//   presence                      a per-user socket count in Redis; online/offline to the user's rooms
//
// Environment: PORT (3000), REDIS_URL (redis://127.0.0.1:6379), ADAPTER (classic | sharded).
const http = require('http');
const { Server } = require('socket.io');
const Redis = require('ioredis');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createShardedAdapter } = require('@socket.io/redis-adapter');

const port = parseInt(process.env.PORT || '3000', 10);
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const adapterKind = process.env.ADAPTER || 'classic';
const HISTORY_MAX = 10000;

const db = new Redis(redisUrl);
const pub = new Redis(redisUrl);
const sub = pub.duplicate();

const httpServer = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, adapter: adapterKind, heapUsed: process.memoryUsage().heapUsed }));
    return;
  }
  if (req.url === '/gc' && global.gc) {
    global.gc();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss }));
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
  adapter: adapterKind === 'sharded' ? createShardedAdapter(pub, sub) : createAdapter(pub, sub),
});

// The memory-usage advice of the Socket.IO docs: do not keep the handshake request for the socket's lifetime.
io.engine.on('connection', (rawSocket) => {
  rawSocket.request = null;
});

io.use(async (socket, next) => {
  const token = socket.handshake.auth && socket.handshake.auth.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
    return next(new Error('unauthenticated'));
  }
  try {
    const userId = await db.get('sio:tok:' + token);
    if (!userId) {
      return next(new Error('unauthenticated'));
    }
    socket.data.userId = userId;
    next();
  } catch (e) {
    next(new Error('unavailable'));
  }
});

function entryToMessage(room, id, fields) {
  // fields: ['m', '<json>']
  const m = JSON.parse(fields[1]);
  m.room = room;
  m.id = id;
  return m;
}

io.on('connection', async (socket) => {
  const userId = socket.data.userId;
  let rooms;
  try {
    rooms = await db.smembers('sio:rooms:' + userId);
  } catch (e) {
    socket.disconnect(true);
    return;
  }
  socket.data.rooms = rooms;
  socket.join(rooms);

  socket.on('send', async (data, ack) => {
    if (typeof ack !== 'function') return;
    if (!data || typeof data.room !== 'string' || typeof data.text !== 'string' || data.text.length === 0
        || data.text.length > 8000) {
      return ack({ ok: false, error: 'bad_request' });
    }
    if (!socket.rooms.has(data.room)) {
      return ack({ ok: false, error: 'not_found' });
    }
    const body = { author: userId, text: data.text, cid: data.cid, at: Date.now() };
    try {
      const id = await db.xadd('hist:' + data.room, 'MAXLEN', '~', HISTORY_MAX, '*', 'm', JSON.stringify(body));
      body.room = data.room;
      body.id = id;
      io.to(data.room).emit('msg', body);
      ack({ ok: true, id });
    } catch (e) {
      ack({ ok: false, error: 'unavailable' });
    }
  });

  socket.on('history', async (data, ack) => {
    if (typeof ack !== 'function') return;
    if (!data || typeof data.room !== 'string') return ack({ ok: false, error: 'bad_request' });
    if (!socket.rooms.has(data.room)) return ack({ ok: false, error: 'not_found' });
    const limit = Math.min(Math.max(parseInt(data.limit || 50, 10) || 50, 1), 100);
    try {
      const entries = await db.xrevrange('hist:' + data.room, '+', '-', 'COUNT', limit);
      const messages = entries.reverse().map(([id, fields]) => entryToMessage(data.room, id, fields));
      ack({ ok: true, messages });
    } catch (e) {
      ack({ ok: false, error: 'unavailable' });
    }
  });

  // Resume: what the client missed in each room, from the stream, before it is told it is ready.
  const since = socket.handshake.auth && socket.handshake.auth.since;
  if (since && typeof since === 'object') {
    try {
      const wanted = Object.keys(since).filter((r) => socket.rooms.has(r)).slice(0, 5000);
      if (wanted.length > 0) {
        const p = db.pipeline();
        for (const r of wanted) p.xrange('hist:' + r, '(' + since[r], '+', 'COUNT', HISTORY_MAX);
        const results = await p.exec();
        results.forEach(([err, entries], i) => {
          if (err) return;
          for (const [id, fields] of entries) socket.emit('msg', entryToMessage(wanted[i], id, fields));
        });
      }
    } catch (e) {
      socket.disconnect(true);
      return;
    }
  }

  // Presence: the first socket of a user makes it online to its rooms; the last one to close, offline.
  let first = false;
  try {
    first = (await db.hincrby('sio:online', userId, 1)) === 1;
  } catch (e) {
    // best effort, like Relais's presence
  }
  // Like Relais's hello, tell the client where each room stands, so that it can resume from there.
  const last = {};
  try {
    const p = db.pipeline();
    for (const r of rooms) p.xrevrange('hist:' + r, '+', '-', 'COUNT', 1);
    const results = await p.exec();
    results.forEach(([err, entries], i) => {
      last[rooms[i]] = !err && entries.length > 0 ? entries[0][0] : '0-0';
    });
  } catch (e) {
    socket.disconnect(true);
    return;
  }
  socket.emit('ready', { userId, rooms: last });
  if (first && rooms.length > 0) io.to(rooms).emit('presence', { userId, status: 'online' });

  socket.on('disconnect', async () => {
    try {
      const left = await db.hincrby('sio:online', userId, -1);
      if (left <= 0) {
        await db.hdel('sio:online', userId);
        if (rooms.length > 0) io.to(rooms).emit('presence', { userId, status: 'offline' });
      }
    } catch (e) {
      // best effort
    }
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  console.log(`socket.io peer listening on 127.0.0.1:${port}, adapter ${adapterKind}`);
});

function stop() {
  io.close();
  db.quit();
  pub.quit();
  sub.quit();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
