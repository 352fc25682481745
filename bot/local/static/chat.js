// The local chat page: talks to the local Bot API's /api and shows the chat as Telegram does.
// Every piece of user or bot text becomes DOM text nodes (textContent), never HTML.
"use strict";

(() => {
  const token = document.querySelector('meta[name="local-token"]').content;
  const $ = (id) => document.getElementById(id);
  const SAFE_URL = /^(https?:|mailto:|tg:)/i;
  const AUTO = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])|((?<![\w/@])\/[A-Za-z][A-Za-z0-9_]{0,31}(?:@[A-Za-z0-9_]+)?)/g;

  let config = null;
  let persona = null;
  let version = -1;
  let generation = 0;
  let seenAnswers = null;
  let replyTo = null;
  let typingTimer = null;
  const rendered = new Map(); // message_id -> {key, node}

  // ------------------------------------------------------------------ HTTP

  async function api(path, options = {}) {
    const headers = Object.assign({"X-Local-Token": token}, options.headers || {});
    const response = await fetch(path, Object.assign({}, options, {headers}));
    const body = await response.json().catch(() => ({description: response.statusText}));
    if (!response.ok) throw new Error(body.description || response.statusText);
    return body;
  }

  function post(path, data) {
    return api(path, {method: "POST", headers: {"Content-Type": "application/json"},
                      body: JSON.stringify(data)});
  }

  function fileUrl(fileId) {
    return `/api/files/${encodeURIComponent(fileId)}?token=${encodeURIComponent(token)}`;
  }

  // ------------------------------------------------------------------ small DOM helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function showError(message) {
    const bar = $("error");
    bar.textContent = message;
    bar.hidden = !message;
  }

  let toastTimer = null;
  function toast(text, long) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, long ? 6000 : 2500);
  }

  function link(url, text) {
    if (!SAFE_URL.test(url)) return el("span", "badlink", text);
    const a = el("a", null, text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // ------------------------------------------------------------------ Telegram text

  // Plain text, with URLs and /commands made clickable as Telegram does.
  function appendPlain(parent, text, auto) {
    if (!auto) { parent.appendChild(document.createTextNode(text)); return; }
    let last = 0;
    for (const match of text.matchAll(AUTO)) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1]) {
        parent.appendChild(link(match[1], match[1]));
      } else {
        const command = el("a", "command", match[2]);
        command.href = "#";
        command.addEventListener("click", (event) => { event.preventDefault(); send(match[2]); });
        parent.appendChild(command);
      }
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function entityNode(entity, text) {
    switch (entity.type) {
      case "bold": return el("b");
      case "italic": return el("i");
      case "underline": return el("u");
      case "strikethrough": return el("s");
      case "code": return el("code");
      case "pre": return el("pre");
      case "blockquote": case "expandable_blockquote": return el("blockquote");
      case "spoiler": {
        const node = el("span", "spoiler");
        node.title = "spoiler: click to show";
        node.addEventListener("click", () => node.classList.add("shown"));
        return node;
      }
      case "text_link": return link(entity.url || "", "");
      case "url": return link(text, "");
      case "mention": case "bot_command": return el("span", "mention");
      default: return el("span");
    }
  }

  // Entities carry UTF-16 offsets, which is what JavaScript strings index by.
  function renderText(text, entities) {
    const root = document.createDocumentFragment();
    const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
    const build = (parent, start, end, list, auto) => {
      let pos = start;
      let i = 0;
      while (i < list.length) {
        const entity = list[i];
        const from = Math.max(entity.offset, pos);
        const to = Math.min(entity.offset + entity.length, end);
        let j = i + 1;
        const inner = [];
        while (j < list.length && list[j].offset < to) { inner.push(list[j]); j += 1; }
        if (from > pos) appendPlain(parent, text.slice(pos, from), auto);
        if (to > from) {
          const node = entityNode(entity, text.slice(from, to));
          const plainInside = auto && !["code", "pre", "text_link", "url"].includes(entity.type);
          build(node, from, to, inner, plainInside);
          parent.appendChild(node);
          pos = to;
        }
        i = j;
      }
      if (pos < end) appendPlain(parent, text.slice(pos, end), auto);
    };
    build(root, 0, text.length, sorted, true);
    return root;
  }

  // ------------------------------------------------------------------ messages

  function senderName(message) {
    const from = message.from || {};
    return from.is_bot ? config.bot.name : (from.first_name || "someone");
  }

  function renderMessage(message) {
    const from = message.from || {};
    const mine = !from.is_bot && from.id === persona.user_id;
    const row = el("div", "row " + (from.is_bot ? "bot" : mine ? "me" : "other"));
    row.dataset.id = message.message_id;
    const bubble = el("div", "bubble");
    row.appendChild(bubble);
    if (persona.chat_type !== "private" && !mine) bubble.appendChild(el("div", "sender", senderName(message)));
    if (message.reply_to_message) {
      const quoted = message.reply_to_message;
      const quote = el("div", "quote");
      quote.appendChild(el("div", "sender", senderName(quoted)));
      quote.appendChild(el("div", "quote-text", (quoted.text || quoted.caption || "").slice(0, 120)));
      bubble.appendChild(quote);
    }
    if (message.photo && message.photo.length) {
      const size = message.photo[message.photo.length - 1];
      const image = el("img", "photo");
      image.alt = "photo";
      image.src = fileUrl(size.file_id);
      image.width = size.width;
      image.height = size.height;
      const open = link(fileUrl(size.file_id), "");
      open.appendChild(image);
      bubble.appendChild(open);
    }
    if (message.document) {
      const doc = message.document;
      const a = el("a", "document");
      a.href = fileUrl(doc.file_id);
      a.download = doc.file_name || "file";
      a.appendChild(el("span", "doc-icon", "📄"));
      a.appendChild(el("span", "doc-name", doc.file_name || "file"));
      a.appendChild(el("span", "doc-size", formatSize(doc.file_size || 0)));
      bubble.appendChild(a);
    }
    if (message.sticker) bubble.appendChild(el("div", "text", message.sticker.emoji || "sticker"));
    const body = message.text !== undefined ? [message.text, message.entities]
      : message.caption !== undefined ? [message.caption, message.caption_entities] : null;
    if (body) {
      const text = el("div", "text");
      text.appendChild(renderText(body[0], body[1]));
      bubble.appendChild(text);
    }
    const meta = el("div", "meta");
    if (message.edit_date) meta.appendChild(el("span", "edited", "edited"));
    const time = new Date((message.date || 0) * 1000);
    meta.appendChild(el("span", "time", time.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})));
    if (persona.chat_type !== "private") {
      const reply = el("button", "reply-to", "↩ Reply");
      reply.type = "button";
      reply.addEventListener("click", () => startReply(message));
      meta.appendChild(reply);
    }
    bubble.appendChild(meta);
    const keyboard = (message.reply_markup || {}).inline_keyboard;
    if (keyboard) row.appendChild(renderKeyboard(message, keyboard));
    return row;
  }

  function renderKeyboard(message, rows) {
    const box = el("div", "keyboard");
    for (const buttons of rows) {
      const line = el("div", "krow");
      for (const button of buttons) {
        let node;
        if (button.url) {
          node = link(button.url, button.text);
          node.className = "kbtn url";
        } else {
          node = el("button", "kbtn", button.text);
          node.type = "button";
          if (button.callback_data === undefined) node.disabled = true;
          node.addEventListener("click", () => press(message, button, node));
        }
        line.appendChild(node);
      }
      box.appendChild(line);
    }
    return box;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  // ------------------------------------------------------------------ state from the server

  function apply(state) {
    version = state.version;
    const box = $("messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const present = new Set();
    for (const message of state.messages) {
      present.add(message.message_id);
      const key = JSON.stringify(message);
      const have = rendered.get(message.message_id);
      if (have && have.key === key) continue;
      const node = renderMessage(message);
      if (have) {
        have.node.replaceWith(node);
      } else {
        const after = [...rendered.entries()].filter(([id]) => id > message.message_id)
          .sort((a, b) => a[0] - b[0])[0];
        box.insertBefore(node, after ? after[1].node : null);
      }
      rendered.set(message.message_id, {key, node});
    }
    for (const [id, entry] of [...rendered.entries()]) {
      if (!present.has(id)) { entry.node.remove(); rendered.delete(id); }
    }
    if (atBottom) box.scrollTop = box.scrollHeight;
    setTyping(state.typing);
    setMenu(state.commands);
    const answers = state.answers || [];
    const newest = answers.length ? answers[answers.length - 1].n : -1;
    if (seenAnswers !== null) {
      for (const answer of answers) if (answer.n > seenAnswers) toast(answer.text, answer.show_alert);
    }
    seenAnswers = Math.max(seenAnswers === null ? -1 : seenAnswers, newest);
  }

  function setTyping(seconds) {
    clearTimeout(typingTimer);
    const status = $("chat-status");
    const idle = persona.chat_type === "private" ? "bot" : "group";
    if (seconds > 0) {
      status.textContent = "typing…";
      status.classList.add("typing");
      typingTimer = setTimeout(() => setTyping(0), seconds * 1000);
    } else {
      status.textContent = idle;
      status.classList.remove("typing");
    }
  }

  function setMenu(commands) {
    const menu = $("menu");
    menu.replaceChildren();
    for (const command of commands || []) {
      const item = el("button", "menu-item");
      item.type = "button";
      item.dataset.command = command.command;
      item.appendChild(el("span", "menu-command", "/" + command.command));
      item.appendChild(el("span", "menu-description", command.description));
      item.addEventListener("click", () => { menu.hidden = true; send("/" + command.command); });
      menu.appendChild(item);
    }
  }

  async function poll(mine) {
    while (mine === generation) {
      try {
        const state = await api(`/api/state?chat=${persona.chat_id}&since=${version}&wait=20`);
        if (mine !== generation) return;
        showError("");
        apply(state);
      } catch (error) {
        if (mine !== generation) return;
        showError(`The local server does not answer (${error.message}). Is make run still running?`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  // ------------------------------------------------------------------ actions

  async function send(text) {
    if (!text.trim()) return;
    try {
      await post("/api/send", {persona: persona.key, text, reply_to: replyTo});
      cancelReply();
    } catch (error) {
      toast(`Not sent: ${error.message}`, true);
      throw error;
    }
  }

  async function press(message, button, node) {
    node.classList.add("pressed");
    try {
      await post("/api/press", {persona: persona.key, message_id: message.message_id,
                                data: button.callback_data});
    } catch (error) {
      toast(error.message, true);
    } finally {
      setTimeout(() => node.classList.remove("pressed"), 600);
    }
  }

  function startReply(message) {
    replyTo = message.message_id;
    $("replying-text").textContent = `Replying to ${senderName(message)}: ` +
      (message.text || message.caption || "").slice(0, 80);
    $("replying").hidden = false;
    $("text").focus();
  }

  function cancelReply() {
    replyTo = null;
    $("replying").hidden = true;
  }

  function choosePersona(key) {
    persona = config.personas.find((p) => p.key === key) || config.personas[0];
    $("persona").value = persona.key;
    localStorage.setItem("pathway-persona", persona.key);
    generation += 1;
    version = -1;
    seenAnswers = null;
    rendered.clear();
    $("messages").replaceChildren();
    cancelReply();
    $("chat-title").textContent = persona.chat_type === "private" ? config.bot.name : persona.title;
    $("group-hint").hidden = persona.chat_type === "private";
    setTyping(0);
    poll(generation);
  }

  async function upload(file) {
    const form = new FormData();
    form.append("persona", persona.key);
    form.append("file", file);
    try {
      await api("/api/upload", {method: "POST", body: form});
    } catch (error) {
      toast(`Not sent: ${error.message}`, true);
    }
  }

  async function moveClock() {
    const value = $("clock-at").value;
    if (!value) { $("clock-result").textContent = "pick a date and time first"; return; }
    $("clock-result").textContent = "…";
    try {
      const result = await post("/api/clock", {now: value});
      $("clock-result").textContent = result.summary;
    } catch (error) {
      $("clock-result").textContent = error.message;
    }
  }

  // ------------------------------------------------------------------ start

  function wire() {
    const text = $("text");
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = text.value;
      if (!value.trim()) return;
      $("menu").hidden = true;
      try { await send(value); text.value = ""; } catch (error) { /* kept for another try */ }
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        $("composer").requestSubmit();
      }
    });
    text.addEventListener("input", () => {
      const value = text.value;
      const menu = $("menu");
      if (/^\/\w*$/.test(value)) {
        for (const item of menu.children) item.hidden = !("/" + item.dataset.command).startsWith(value);
        menu.hidden = false;
      } else if (!value) {
        menu.hidden = true;
      }
    });
    $("menu-toggle").addEventListener("click", () => {
      const menu = $("menu");
      for (const item of menu.children) item.hidden = false;
      menu.hidden = !menu.hidden;
    });
    $("file").addEventListener("change", (event) => {
      const file = event.target.files[0];
      if (file) upload(file);
      event.target.value = "";
    });
    $("persona").addEventListener("change", (event) => choosePersona(event.target.value));
    $("replying-cancel").addEventListener("click", cancelReply);
    $("clock-toggle").addEventListener("click", () => { $("clock-panel").hidden = !$("clock-panel").hidden; });
    $("clock-go").addEventListener("click", moveClock);
    $("mention").addEventListener("click", () => {
      text.value = `@${config.bot.username} ` + text.value;
      text.focus();
    });
  }

  async function start() {
    wire();
    try {
      config = await api("/api/config");
    } catch (error) {
      showError(`Could not load the chat: ${error.message}`);
      return;
    }
    $("mention").textContent = `@${config.bot.username}`;
    $("clock-toggle").hidden = !config.clock;
    const later = new Date(Date.now() + 300 * 24 * 3600 * 1000);
    $("clock-at").value = later.toISOString().slice(0, 11) + "15:00";  // daytime in the US
    for (const p of config.personas) {
      const option = el("option", null, p.label);
      option.value = p.key;
      $("persona").appendChild(option);
    }
    choosePersona(localStorage.getItem("pathway-persona") || config.personas[0].key);
  }

  start();
})();
