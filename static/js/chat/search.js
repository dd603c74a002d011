// Search, in the side panel: messages and documents of every room this person can read, or of
// the conversation on screen only. A message hit opens its room around it.

import { get } from "./api.js";
import { me } from "./config.js";
import { documentHit } from "./documents.js";
import { el } from "./dom.js";
import { openRoom } from "./history.js";
import { describeHit, isDocumentHit, searchPath, searchSummary } from "./search_data.js";
import { closePanel, openPanel } from "./threads.js";
import { h, results, snippetNodes } from "./util.js";

export async function search(app, query) {
  if (!query.trim()) return;
  app.thread = null;
  openPanel("Search", "search");
  el.threadComposer.hidden = true;
  const scope = h("label", { class: "search-scope" }, h("input", { type: "checkbox", id: "search-here" }), " Only in this conversation");
  const list = h("ul", { class: "search-results", "aria-live": "polite", "aria-busy": "true" });
  const status = h("p", { class: "muted" }, `Searching for “${query}”…`);
  el.panelBody.replaceChildren(scope, status, list);
  const run = async () => {
    const here = scope.querySelector("input").checked;
    list.setAttribute("aria-busy", "true");
    try {
      const data = await get(searchPath(query, here ? app.current : undefined));
      const found = results(data);
      list.replaceChildren();
      status.textContent = searchSummary(found, data, query);
      for (const item of found) list.append(searchResult(app, item, query));
    } catch (error) {
      status.textContent = `Search failed: ${error.message}`;
    } finally {
      list.removeAttribute("aria-busy");
    }
  };
  scope.querySelector("input").addEventListener("change", run);
  await run();
}

function searchResult(app, item, query) {
  if (isDocumentHit(item)) return h("li", {}, documentHit(item, query));
  const hit = describeHit(item, app.rooms, me.id);
  const text = h("div", { class: "result-snippet" });
  if (hit.snippet) text.append(snippetNodes(hit.snippet));
  else text.textContent = hit.text;
  const button = h(
    "button",
    { type: "button", class: "result", "data-room": hit.roomId, "data-message": hit.messageId },
    h(
      "div",
      { class: "result-meta" },
      h("strong", {}, hit.heading),
      h("span", { class: "muted" }, ` in ${hit.roomName}`),
      hit.createdAt ? h("time", { class: "muted", datetime: hit.createdAt }, ` · ${new Date(hit.createdAt).toLocaleDateString()}`) : "",
    ),
    text,
  );
  if (hit.kind !== "document") {
    button.addEventListener("click", () => {
      // On a narrow screen the panel covers the conversation the hit opens.
      if (window.matchMedia("(max-width: 1100px)").matches) closePanel(app);
      openRoom(app, hit.roomId, { around: hit.messageId, focus: false });
    });
  } else button.disabled = !hit.roomId;
  return h("li", {}, button);
}
