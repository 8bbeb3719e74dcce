/*
 * recruitlink: live status on the LinkedIn admin pages (no build step, no framework).
 *
 * An element with data-live-url="…/status.json" makes the page poll that URL (every 2 s,
 * slower after errors or while the tab is hidden) and fill in, from the JSON answer:
 *
 *   [data-live="status"]            statusText          [data-live="lastSync"]   lastSyncText
 *   [data-live="rate"]              rateText            [data-live="eta"]        etaText
 *   [data-live="runPercent"]        run.percent + "%"   [data-live="runState"]   done of total
 *   [data-live-progress="run"]      <progress> value = run.percent
 *   [data-live-progress="m:KEY"]    a milestone's bar   [data-live="m:KEY:done"] "done / total"
 *   [data-live="m:KEY:state"]       waiting | running | done
 *   [data-live="waiting"]           waiting.text (hidden when the sync is not throttled)
 *   [data-live="failedRecords"]     failedRecords, the one "failed records" figure
 *   [data-live-progress="s:NAME"]   a stream's bar      [data-live="s:NAME:done"] "done / total"
 *   [data-live="m:KEY:failed"] [data-live="s:NAME:failed"]  records with an open error on
 *                                   the milestone's streams, on the stream
 *   [data-live="quotas:KEY"]        quotas[KEY], the Quotas section's texts (seats, exports,
 *                                   budgets per family); [data-live-list="quotas:warnings"]
 *                                   holds one paragraph per quotas.warnings entry
 *
 * It reloads the page (once the server-rendered state is stale) when the answer's status
 * differs from data-status (with data-reload-on-status), or the run's id/status differs from
 * data-run (with data-reload-on-run), or a disconnect finished (data-reload-on-disconnected).
 *
 * It also defines window.recruitlinkOnIntegrate, the data-onintegrate callback of LinkedIn's
 * onboarding widget: it posts what LinkedIn approved with the page's #integrate-form (which
 * carries the CSRF token).
 */
(function () {
  "use strict";

  var FAST_MS = 2000;
  var SLOW_MS = 10000;
  // Set once a form is being posted: a reload now would cancel the post (the widget's
  // approval, whose own effect makes the status change, landed on "Add another contract").
  var leaving = false;

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function setText(root, key, text) {
    each(root, '[data-live="' + key + '"]', function (el) {
      if (el.textContent !== String(text)) { el.textContent = String(text); }
    });
  }

  function setBar(root, key, percent) {
    each(root, '[data-live-progress="' + key + '"]', function (el) {
      el.value = percent;
      el.textContent = percent + "%";
    });
  }

  function count(n) {
    return (n || 0).toLocaleString("en-US");
  }

  function runKey(run) {
    return run ? run.id + ":" + run.status : "";
  }

  function apply(root, state) {
    setText(root, "status", state.statusText || state.status);
    setText(root, "lastSync", state.lastSyncText || "not yet");
    setText(root, "disconnectStage", state.disconnectStage || "");
    setText(root, "rate", state.rateText ||
            (state.recordsPerSecond || 0).toLocaleString("en-US") + " records/s");
    setText(root, "eta", state.etaText || (state.run && state.run.status === "running" ? "…" : "—"));
    each(root, '[data-live="paused"]', function (el) { el.hidden = !state.paused; });
    // Throttled: LinkedIn's rate limit holds the sync until a known time.
    each(document, '[data-live="waiting"]', function (el) {
      var text = state.waiting ? state.waiting.text : "";
      if (el.textContent !== text) { el.textContent = text; }
      el.hidden = !state.waiting;
    });
    if (typeof state.failedRecords === "number") {
      setText(document, "failedRecords", count(state.failedRecords));
    }
    var quotas = state.quotas;
    if (quotas) {
      Object.keys(quotas).forEach(function (key) {
        if (typeof quotas[key] === "string") { setText(root, "quotas:" + key, quotas[key]); }
      });
      each(root, '[data-live-list="quotas:warnings"]', function (list) {
        var texts = quotas.warnings || [];
        var shown = Array.prototype.map.call(list.children, function (el) {
          return el.textContent;
        });
        if (shown.join("\n") === texts.join("\n")) { return; }
        list.textContent = "";
        texts.forEach(function (text) {
          var p = document.createElement("p");
          p.className = list.getAttribute("data-item-class") || "";
          p.setAttribute("role", list.getAttribute("data-item-role") || "status");
          p.textContent = text;
          list.appendChild(p);
        });
      });
    }
    var run = state.run;
    if (run) {
      setBar(root, "run", run.percent);
      setText(root, "runPercent", run.percent + "%");
      setText(root, "runState", run.status === "done" ? "complete"
        : count(run.done) + " of " + count(run.total) + " records");
      setText(root, "runStatus", run.status);
      (run.milestones || []).forEach(function (m) {
        setBar(root, "m:" + m.key, m.percent);
        setText(root, "m:" + m.key + ":done", count(m.done) + " / " + count(m.total));
        setText(root, "m:" + m.key + ":state", m.state);
        setText(root, "m:" + m.key + ":failed", count(m.failed));
        setText(root, "m:" + m.key + ":excluded", count(m.excluded));
        (m.streams || []).forEach(function (s) {
          setBar(root, "s:" + s.name, s.percent);
          setText(root, "s:" + s.name + ":done", count(s.done) + " / " + count(s.total));
          setText(root, "s:" + s.name + ":failed", count(s.failed));
          setText(root, "s:" + s.name + ":excluded", count(s.excluded));
          setText(root, "s:" + s.name + ":state", s.state);
        });
      });
    }
  }

  function stale(root, state) {
    if (root.hasAttribute("data-reload-on-status") &&
        root.getAttribute("data-status") !== state.status) { return true; }
    if (root.hasAttribute("data-status-key") && state.statusKey !== undefined &&
        root.getAttribute("data-status-key") !== state.statusKey) { return true; }
    if (root.hasAttribute("data-reload-on-run") &&
        root.getAttribute("data-run") !== runKey(state.run)) { return true; }
    if (root.hasAttribute("data-reload-on-disconnected") &&
        (state.status === "DISCONNECTED" || state.disconnectTask === "failed" ||
         state.disconnectTask === "done")) { return true; }
    return false;
  }

  function reload() {
    // The page as it is now, without the one-time notice of the action that led here.
    var url = new URL(window.location.href);
    url.searchParams.delete("done");
    window.location.replace(url.toString());
  }

  function poll(root) {
    var url = root.getAttribute("data-live-url");
    var reloading = false;

    function next(ms) {
      if (!reloading) { window.setTimeout(tick, document.hidden ? SLOW_MS : ms); }
    }

    function tick() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"},
                  cache: "no-store"})
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (state) {
          root.setAttribute("data-live-seen", String(state.now || ""));
          if (leaving) { next(FAST_MS); return; }
          if (stale(root, state)) {
            reloading = true;
            reload();
            return;
          }
          apply(root, state);
          next(FAST_MS);
        })
        .catch(function () { next(SLOW_MS); });
    }

    next(FAST_MS);
  }

  window.recruitlinkOnIntegrate = function (approved) {
    var form = document.getElementById("integrate-form");
    if (!form) { return; }
    form.elements.integrations.value = JSON.stringify(approved || {});
    each(document, '[data-live="integrating"]', function (el) { el.hidden = false; });
    leaving = true;
    form.submit();
  };

  function init() {
    document.addEventListener("submit", function () { leaving = true; });
    // Back to this page from the browser's cache: nothing is being posted any more.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { leaving = false; }
    });
    each(document, "[data-live-url]", poll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
