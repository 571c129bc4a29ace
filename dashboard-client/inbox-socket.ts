// The inbox's real-time channel (/api/v1/inbox/ws, the InboxHub): one socket per tab, reconnected with backoff
// and jitter (1 s, 2 s, 4 s … 30 s) so a deploy does not get every tab back at once; a ping every 30 s keeps it.
let socket: WebSocket | null = null;

export function liveOn(): boolean {
  return socket !== null && socket.readyState === WebSocket.OPEN;
}

export function connectInbox(handlers: { onOpen: () => void; onEvent: (data: unknown) => void }): void {
  let delay = 1000;
  const connect = (): void => {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/inbox/ws");
    socket = ws;
    ws.onopen = () => {
      delay = 1000;
      document.body.dataset.inbox = "live";
      handlers.onOpen();
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return; // not an event
      }
      handlers.onEvent(data);
    };
    ws.onclose = () => {
      document.body.dataset.inbox = "polling";
      setTimeout(connect, delay * (1 + Math.random() / 2));
      delay = Math.min(delay * 2, 30000);
    };
  };
  connect();
  setInterval(() => {
    if (liveOn()) socket?.send('{"type":"ping"}');
  }, 30000);
}
