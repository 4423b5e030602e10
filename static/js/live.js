/* Live pages: the page's regions follow the records they show, within a second of a change.
 *
 * A region is any element with an id and data-live="…": space-separated tokens naming what it shows,
 * "request" (any request: a list, the triage queue), "request:12" (that request), "match:5", "offer:3",
 * "notification" (the unread count, the inbox). Any element with an id and data-request-id / data-match-id /
 * data-offer-id (a row of a list) follows its record the same way. On an event about a record the page shows,
 * the page is fetched again (its own address, or the lighter one a region names in data-live-fragment when
 * every part to swap is inside it) and those regions are swapped for their new version; a region
 * that holds the focus or a field being typed in keeps it (only its other parts with ids are swapped), and an
 * element gone from the new page (a row that left the queue) leaves.
 *
 * Events come from the page's server-sent event stream (data-stream); where a stream cannot be held (no
 * EventSource, repeated errors, a server with all its streams taken) the page polls (data-poll) instead.
 * Without JavaScript nothing of this runs and every page works as it is served.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.stream) { return; }
  var streamUrl = script.dataset.stream, pollUrl = script.dataset.poll;
  var lastId = script.dataset.after || "";
  var updatedText = script.dataset.updated || "";
  var pending = {}, timer = null, fetching = false, again = false;
  var status = null;

  function regions() {
    return Array.prototype.slice.call(document.querySelectorAll(
      "[data-live][id], [data-request-id][id], [data-match-id][id], [data-offer-id][id]"));
  }

  function tokensOf(event) {
    var tokens = [event.record_type, event.record_type + ":" + event.record_id];
    if (event.request_id) { tokens.push("request", "request:" + event.request_id); }
    if (event.offer_id) { tokens.push("offer", "offer:" + event.offer_id); }
    if (event.thread) { tokens.push(event.thread.record_type + ":" + event.thread.record_id); }
    return tokens;
  }

  function follows(el, tokens) {
    var own = (el.dataset.live || "").split(/\s+/).filter(Boolean);
    ["request", "match", "offer"].forEach(function (kind) {
      var id = el.getAttribute("data-" + kind + "-id");
      if (id) { own.push(kind + ":" + id); }
    });
    return own.some(function (t) { return tokens.indexOf(t) !== -1; });
  }

  function busy(el) {
    var active = document.activeElement;  // what has the focus stays where it is (a keyboard user keeps their place)
    if (active && active !== document.body && el.contains(active)) { return true; }
    var fields = el.querySelectorAll("textarea, input:not([type=hidden]), select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.tagName === "SELECT" && f.multiple) {
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].selected !== f.options[j].defaultSelected) { return true; }
        }
      } else if (f.tagName === "SELECT") {
        // a single choice shows its option marked selected, or the first one when none is: changed if another
        var shown = 0;
        for (var k = 0; k < f.options.length; k++) { if (f.options[k].defaultSelected) { shown = k; } }
        if (f.options.length && f.selectedIndex !== shown) { return true; }
      } else if (f.type === "checkbox" || f.type === "radio") {
        if (f.checked !== f.defaultChecked) { return true; }
      } else if (f.value !== f.defaultValue) { return true; }
    }
    return false;
  }

  function merge(old, fresh) {
    if (!busy(old)) { old.replaceWith(document.importNode(fresh, true)); return; }
    var freshKids = Array.prototype.filter.call(fresh.children, function (c) { return c.id; });
    var oldById = {};
    Array.prototype.forEach.call(old.children, function (c) { if (c.id) { oldById[c.id] = c; } });
    var wanted = {};
    freshKids.forEach(function (c) { wanted[c.id] = true; });
    Object.keys(oldById).forEach(function (id) {
      if (!wanted[id] && !busy(oldById[id])) { oldById[id].remove(); }
    });
    var previous = null;
    freshKids.forEach(function (c) {
      var here = document.getElementById(c.id);
      if (here && here.parentNode === old) { merge(here, c); here = document.getElementById(c.id); }
      else {
        here = document.importNode(c, true);
        if (previous && previous.parentNode === old) { previous.after(here); } else { old.prepend(here); }
      }
      previous = here;
    });
  }

  function announce() {
    if (!updatedText) { return; }
    if (!status) {
      status = document.createElement("div");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.id = "live-status";
      document.body.appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = updatedText; }, 50);
  }

  function addressFor(ids) {
    // A region may name a lighter address that answers with the region alone (data-live-fragment: the case
    // queue's rows); it is used when every part to swap is inside that one region, else the whole page.
    var holder = null;
    var inside = ids.every(function (id) {
      var el = document.getElementById(id);
      var region = el && el.closest("[data-live-fragment]");
      if (!region || (holder && holder !== region)) { return false; }
      holder = region;
      return true;
    });
    return inside && holder ? holder.dataset.liveFragment : window.location.href;
  }

  function refresh() {
    timer = null;
    if (fetching) { again = true; return; }
    var ids = Object.keys(pending);
    pending = {};
    if (!ids.length) { return; }
    fetching = true;
    fetch(addressFor(ids), {credentials: "same-origin", headers: {"X-Exchange-Live": "1"}})
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("not refreshed"); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var changed = false;
        ids.forEach(function (id) {
          var old = document.getElementById(id), fresh = doc.getElementById(id);
          if (!old) { return; }
          if (!fresh) {
            if (!old.dataset.live && !busy(old)) { old.remove(); changed = true; }
            return;
          }
          if (old.outerHTML !== fresh.outerHTML) { merge(old, fresh); changed = true; }
        });
        if (changed) {
          announce();
          document.dispatchEvent(new CustomEvent("exchange:live-updated", {detail: {regions: ids}}));
        }
      })
      .catch(function () { /* the page stays as it is; the next event tries again */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; schedule(); }
      });
  }

  function schedule() {
    if (!timer) { timer = window.setTimeout(refresh, 30); }
  }

  function receive(event) {
    if (event.id) { lastId = String(event.id); }
    document.dispatchEvent(new CustomEvent("exchange:live-event", {detail: event}));
    var tokens = tokensOf(event);
    regions().forEach(function (el) { if (follows(el, tokens)) { pending[el.id] = true; } });
    schedule();
  }

  function resync(id) {
    if (id) { lastId = String(id); }
    regions().forEach(function (el) { pending[el.id] = true; });
    schedule();
  }

  // ------------------------------------------------------------------------------------------------
  // Polling: where no stream can be held.
  var polling = false;

  function poll() {
    var url = pollUrl + (lastId ? (pollUrl.indexOf("?") === -1 ? "?" : "&") + "after=" + encodeURIComponent(lastId) : "");
    var wait = 5;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json", "X-Exchange-Live": "1"}})
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) { throw new Error("signed out"); }
        return response.json();
      })
      .then(function (body) {
        wait = body.poll_seconds || wait;
        if (body.resync && lastId) { resync(body.last_id); }
        (body.events || []).forEach(receive);
        if (body.last_id) { lastId = String(Math.max(Number(lastId) || 0, body.last_id)); }
        window.setTimeout(poll, wait * 1000);
      })
      .catch(function (error) {
        if (String(error && error.message) !== "signed out") { window.setTimeout(poll, wait * 4000); }
      });
  }

  function startPolling() {
    if (polling) { return; }
    polling = true;
    document.documentElement.dataset.live = "polling";
    poll();
  }

  // ------------------------------------------------------------------------------------------------
  // The stream.
  if (!window.EventSource || script.dataset.mode === "poll") { startPolling(); return; }
  var errors = 0;
  var source = new EventSource(streamUrl + (lastId ? (streamUrl.indexOf("?") === -1 ? "?" : "&") + "after=" + encodeURIComponent(lastId) : ""));
  source.onopen = function () { errors = 0; document.documentElement.dataset.live = "stream"; };
  source.onmessage = function (message) {
    try { receive(JSON.parse(message.data)); } catch (e) { /* not an event of ours */ }
  };
  source.addEventListener("resync", function (message) {
    var body = {};
    try { body = JSON.parse(message.data); } catch (e) { /* resync all the same */ }
    resync(body.id);
  });
  source.onerror = function () {
    errors += 1;
    if (source.readyState === EventSource.CLOSED || errors >= 3) {
      source.close();
      startPolling();
    }
  };
})();
