"""The chat socket's edge: everything between a WebSocket frame and the actions layer.

- `frames`: what a client may send, read and checked before anything runs (`FrameError`).
- `ratelimit`: the token buckets that pace sends and typing notices.
- `session`: a socket's room subscriptions, the replay from the database and its seam with live
  events; plain code, driven by the socket through two small interfaces.
- `client`: one client's socket as handlers and the hub see it: its person, session and output.
- `database`: the one way a frame reaches the database (ARCHITECTURE rule 2).
- `replay`: the database side of a session's catch-up.
- `handlers`: one handler per frame type, each calling chat.access and an action.
- `hub`, `ordering`, `wsdirect`: one channel-layer subscriber per process, a room's new messages
  in commit order, and fan-out frames written straight to daphne's connections.

The ASGI consumer itself (chat.consumers) only accepts, reads frames, dispatches them here and
turns errors into `error` frames.
"""
