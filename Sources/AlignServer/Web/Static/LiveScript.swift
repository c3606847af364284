// swift-format-ignore-file
extension StaticFiles {
    /// `/static/live.js`: the live tail. Reads `/api/v1/events` with `fetch` (so the session cookie applies, which
    /// `EventSource` cannot be relied on for) and parses the server-sent events by hand (`follow`, `parseMessage`);
    /// reconnects after the last position seen. On `/live` each event becomes a line of `#tail`; on an open inbox
    /// (`#inbox`), a `LeadHandedOff` for the inbox's owner fetches that lead's article (`/inbox/leads/ID`) and inserts
    /// it (`insertLead`), without a reload.
    static let liveScript = #"""
"use strict";
// live.js: the live tail of the ledger (docs/WEB.md).
(() => {
  const tail = document.getElementById("tail");
  const inbox = document.getElementById("inbox");
  if (!tail && !inbox) return;
  const state = document.getElementById(tail ? "tail-state" : "inbox-news");
  let last = null;  // the last position seen
  const setState = (text) => { if (state && tail) state.textContent = text; };

  /// One server-sent message: its fields, `data` lines joined.
  function parseMessage(block) {
    const m = { data: [] };
    for (const line of block.split(/\r?\n/)) {
      if (line === "" || line.startsWith(":")) continue;
      const c = line.indexOf(":");
      const field = c < 0 ? line : line.slice(0, c);
      let value = c < 0 ? "" : line.slice(c + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") m.data.push(value); else m[field] = value;
    }
    return m;
  }

  function handle(m) {
    if (!m.data.length) return;
    let e;
    try { e = JSON.parse(m.data.join("\n")); } catch (err) { return; }
    last = e.position;
    if (tail) addRow(e);
    if (inbox && e.type === "LeadHandedOff" && e.payload && e.payload.owner === inbox.dataset.owner) insertLead(e.payload.lead);
    if (inbox && decided[e.type] && typeof e.stream === "string" && e.stream.startsWith("lead/")) removeLead(e.stream.slice(5), decided[e.type], e.actor);
  }

  /// The events after which a lead is no longer open: the inbox drops it (decided in another tab, or by someone else).
  const decided = { LeadAccepted: "accepted", LeadRejected: "rejected", LeadRecycled: "recycled" };

  /// The open-lead count in the inbox's heading, moved by `delta`.
  function count(delta) {
    const c = document.getElementById("inbox-count");
    if (c && /^\d+$/.test(c.textContent)) c.textContent = String(Number(c.textContent) + delta);
  }

  function removeLead(id, what, actor) {
    const article = document.getElementById("lead-" + id);
    if (!article) return;
    article.remove();
    count(-1);
    const news = document.getElementById("inbox-news");
    if (news) news.textContent = `Lead ${id} was ${what} by ${actor}.`;
  }

  function addRow(e) {
    const li = document.createElement("li");
    const what = document.createElement("strong");
    what.textContent = e.type;
    const time = (t) => { const el = document.createElement("time"); el.dateTime = t; el.textContent = t; return el; };
    li.append(`#${e.position} `, what, ` on ${e.stream} by ${e.actor}, business time `, time(e.occurredAt), ", recorded ", time(e.recordedAt));
    tail.prepend(li);
    while (tail.children.length > 200) tail.lastElementChild.remove();
  }

  /// Fetches the article of lead `id` (`/inbox/leads/ID`, rendered by the server as the page renders it) and
  /// inserts it when it is not shown yet.
  async function insertLead(id) {
    if (document.getElementById("lead-" + id)) return;
    const url = `/inbox/leads/${encodeURIComponent(id)}?owner=${encodeURIComponent(inbox.dataset.owner)}`;
    const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!r.ok) return;
    const doc = new DOMParser().parseFromString(await r.text(), "text/html");
    const article = doc.getElementById("lead-" + id);
    if (!article || document.getElementById("lead-" + id)) return;
    const empty = inbox.querySelector(".empty");
    if (empty) empty.remove();
    inbox.prepend(document.importNode(article, true));
    count(1);
    const news = document.getElementById("inbox-news");
    if (news) news.textContent = `Lead ${id} arrived.`;
  }

  async function follow() {
    for (;;) {
      try {
        const from = last !== null ? Number(last) + 1 : (tail || inbox).dataset.from;
        const r = await fetch("/api/v1/events" + (from ? `?from=${from}` : ""),
                              { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/event-stream" } });
        if (r.status === 401) { setState("Signed out: sign in again to follow the log."); return; }
        if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
        setState("Following the log.");
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let i;
          while ((i = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i).replace(/^\r?\n\r?\n/, "");
            handle(parseMessage(block));
          }
        }
        setState("The stream ended; reconnecting…");
      } catch (err) {
        setState("Connection lost; reconnecting…");
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  follow();
})();
"""#
}
